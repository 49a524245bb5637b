# checks: django-mtls-dn-substring
# Parsing helpers look at prefixes and separators (the Subject= key, quotes, commas); that is
# parsing, not an identity comparison. The subject itself is compared exactly.
import base64

from cryptography import x509

USERS = {"CN=alice,O=Example Corp": "alice"}


def parse_xfcc(value):
    fields = {}
    for part in value.split(";"):
        if part.startswith("Subject="):
            fields["subject"] = part[len("Subject="):]
    return fields


def unquote(dn):
    if dn.startswith('"') and dn.endswith('"'):
        return dn[1:-1]
    if "," not in dn and "=" in dn:
        return dn
    return dn


def xfcc_subject(request):
    return unquote(parse_xfcc(request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", "")).get("subject", ""))


def by_xfcc(request):
    subject = xfcc_subject(request)
    if subject.startswith("CN="):
        return USERS.get(subject)
    return USERS.get(subject)


def by_rfc9440(request):
    raw = request.headers.get("Client-Cert", "").strip(":")
    cert = x509.load_der_x509_certificate(base64.b64decode(raw))
    if cert.subject.rfc4514_string() == "CN=carol,O=Example Corp":
        return "carol"
    return USERS.get(cert.subject.rfc4514_string())
