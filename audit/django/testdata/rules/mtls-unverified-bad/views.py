# checks: django-mtls-header-unverified
from urllib.parse import unquote

from django.http import JsonResponse


def whoami(request):
    subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN")  # want: django-mtls-header-unverified@15
    return JsonResponse({"subject": subject})


def envoy(request):
    xfcc = unquote(request.headers["X-Forwarded-Client-Cert"])  # want: django-mtls-header-unverified@20
    return JsonResponse({"xfcc": xfcc})


def apache(request):
    return JsonResponse({"cn": request.environ.get("SSL_CLIENT_S_DN_CN")})  # want: django-mtls-header-unverified@32
