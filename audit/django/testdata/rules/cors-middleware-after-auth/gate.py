from django.http import HttpResponse


class ClientGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "DELETE":
            return HttpResponse(status=405)
        return self.get_response(request)
