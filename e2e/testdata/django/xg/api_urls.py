from django.urls import path

from xg import api_views
from xg.urls import urlpatterns as shared

urlpatterns = shared + [
    # A partner integration whose views override the CORS policy (see api_views.reflect_origin).
    path("api/partners/<int:n>", api_views.reflect_origin(api_views.item)),
    # nginx adds its own Access-Control-Allow-Origin in location /api/open/ (the "api" stack).
    path("api/open/<int:n>", api_views.item),
    path("api/account", api_views.account),
    path("api/legacy/account", api_views.account),
    path("api/legacy/health", api_views.health),
    path("openapi.json", api_views.openapi),
]
