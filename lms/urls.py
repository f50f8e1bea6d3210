from django.contrib import admin
from django.urls import path

admin.site.site_header = "LMS portal back office"
admin.site.site_title = "LMS back office"

urlpatterns = [
    path("admin/", admin.site.urls),
]
