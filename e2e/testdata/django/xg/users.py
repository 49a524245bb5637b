# Fake people for the fixture; none of these values belongs to anyone.
USERS = {
    "alice": {
        "name": "Alice Liddell",
        "email": "alice.liddell@wonderland-mail.net",
        "phone": "+44 20 7946 0321",
    },
    "bob": {
        "name": "Bob Marley-Smith",
        "email": "bob.smith@harbour-mail.net",
        "phone": "+44 20 7946 0877",
    },
}

# A fake AWS access key id (right shape, issued to no one), for secret-in-response.
FAKE_AWS_KEY_ID = "AKIAZ7QX4RM2TLD5KJ3W"
