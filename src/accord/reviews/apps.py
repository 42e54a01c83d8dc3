from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "accord.reviews"
    label = "reviews"
    verbose_name = "Reviews"
