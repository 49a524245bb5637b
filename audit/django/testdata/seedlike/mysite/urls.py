from django.http import JsonResponse
from django.urls import path

from .views import account


def health(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("health", health),
    path("api/account", account),
]
