from django.urls import path

from xg import views

urlpatterns = [
    path("api/profile", views.profile),
    path("api/health", views.health),
    path("api/boom", views.boom),
    path("api/whoami-headers", views.identity_headers),
    # Sixteen and more alike endpoints for the scan-by-origin budget test and benchmark.
    path("api/items/<int:n>", views.item),
]
