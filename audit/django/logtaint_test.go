package django

import "testing"

func TestSensitiveNameWords(t *testing.T) {
	for name, want := range map[string]bool{
		"api_token": true, "accessToken": true, "csrftoken": true, "tokens": true, "DB_PASSWORD": true,
		"client_secret": true, "private_key": true, "credentials": true,
		"PaymentMethodTokenizationResult": false, "tokenizer": false, "username": false, "secretary_name": false,
	} {
		if got := sensitiveName(name); got != want {
			t.Errorf("sensitiveName(%s) = %v, want %v", name, got, want)
		}
	}
}
