from django.http import JsonResponse
from django.urls import path


def profile(request):
    return JsonResponse({"user": getattr(request, "cert_user", None)})


urlpatterns = [path("api/profile", profile)]
