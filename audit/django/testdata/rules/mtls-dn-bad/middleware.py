# checks: django-mtls-dn-substring
import re

ALICE = re.compile(r"CN=alice")


def verified(request):
    return request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"


def by_in(request):
    subject = request.META["HTTP_X_SSL_CLIENT_S_DN"]
    return verified(request) and "CN=alice" in subject  # want: django-mtls-dn-substring@34


def by_methods(request):
    if not verified(request):
        return None
    dn = request.headers.get("X-SSL-Client-S-DN", "").strip()
    if dn.endswith("O=Example Corp"):  # want: django-mtls-dn-substring@8
        return "corp"
    if dn.find("OU=admins") >= 0:  # want: django-mtls-dn-substring@8
        return "admin"
    if dn.__contains__("CN=bob"):  # want: django-mtls-dn-substring@8
        return "bob"
    return None


def by_regex(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN") or ""
    if re.search(r"CN=carol", dn):  # want: django-mtls-dn-substring@8
        return "carol"
    if re.match(r"^CN=dave", dn):  # want: django-mtls-dn-substring@8
        return "dave"
    if ALICE.search(dn):  # want: django-mtls-dn-substring@8
        return "alice"
    return None


def by_rdn_list(request):
    if request.META.get("SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    rdns = request.META["SSL_CLIENT_S_DN"].split(",")
    return "CN=erin" in rdns  # want: django-mtls-dn-substring@12
