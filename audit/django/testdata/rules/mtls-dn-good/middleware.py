# checks: django-mtls-dn-substring
import re

USERS = {"CN=alice,O=Example Corp,C=US": "alice"}
ALLOWED = {"CN=bob,O=Example Corp,C=US"}


def identity(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")
    if request.path.startswith("/api/") and subject in ALLOWED:
        return "bob"
    if subject == "CN=carol,O=Example Corp,C=US":
        return "carol"
    if re.fullmatch(r"CN=dave,O=Example Corp,C=US", subject):
        return "dave"
    if re.match(r"^CN=erin,O=Example Corp,C=US$", subject):
        return "erin"
    return USERS.get(subject)
