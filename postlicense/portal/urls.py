from django.urls import path

from . import views, views_search

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views_search.search, name="search"),
    path("enterprises/<str:credit_code>/", views_search.enterprise, name="enterprise"),
    path("random-checks/", views.random_check_list, name="random_check_list"),
    path("random-checks/<int:pk>/", views.random_check_detail, name="random_check_detail"),
    path("random-checks/<int:pk>/verify/", views.random_check_verify, name="random_check_verify"),
    path("random-checks/<int:pk>/candidates.csv", views.random_check_candidates, name="random_check_candidates"),
]
