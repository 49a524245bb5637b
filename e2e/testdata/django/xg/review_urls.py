from django.urls import path

from xg import review_views
from xg.urls import urlpatterns as base_patterns

urlpatterns = base_patterns + [
    path("api/profile-stamped", review_views.profile_stamped),
    path("api/profile-noname", review_views.profile_noname),
    path("api/team", review_views.team),
    path("api/review-headers", review_views.headers),
]
