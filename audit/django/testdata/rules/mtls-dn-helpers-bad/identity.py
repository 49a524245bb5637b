# checks: django-mtls-dn-substring
# Subjects compared by prefix or suffix after XFCC (Envoy's x-forwarded-client-cert) and
# RFC 9440 (Client-Cert) parsing helpers: as weak as a substring match.
import base64
import re

from cryptography import x509
from cryptography.x509.oid import NameOID


def parse_xfcc(value):
    """Hash=...;Subject="CN=alice,O=Example";URI=... -> {"subject": ...}"""
    fields = {}
    for part in value.split(";"):
        key, _, val = part.partition("=")
        fields[key.strip().lower()] = val.strip('"')
    return fields


def xfcc_subject(request):
    return parse_xfcc(request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", "")).get("subject", "")


def client_cert(request):
    raw = request.headers.get("Client-Cert", "").strip(":")
    return x509.load_der_x509_certificate(base64.b64decode(raw))


def subject_matches(subject, expected):
    return subject.endswith(expected)  # want: django-mtls-dn-substring@12


def by_xfcc(request):
    subject = xfcc_subject(request)
    if subject.startswith("CN=alice"):  # want: django-mtls-dn-substring@8
        return "alice"
    if subject_matches(subject, "O=Example Corp"):
        return "corp"
    return None


def by_rfc9440(request):
    cert = client_cert(request)
    if cert.subject.rfc4514_string().endswith("O=Example Corp"):  # want: django-mtls-dn-substring@8
        return "corp"
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    if cn.startswith("admin-"):  # want: django-mtls-dn-substring@8
        return "admin"
    if re.search(r"CN=bob", cert.subject.rfc4514_string()):  # want: django-mtls-dn-substring@8
        return "bob"
    return None
