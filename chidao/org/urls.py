from django.urls import path

from chidao.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/switch/", views.switch_unit, name="switch_unit"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/agencies/new/", views.agency_create, name="agency_create"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path(
        "committees/<int:pk>/history/",
        views.committee_history,
        name="committee_history",
    ),
    path("committees/<int:pk>/groups/new/", views.group_create, name="group_create"),
    path("committees/<int:pk>/members/new/", views.member_appoint, name="member_appoint"),
    path("committees/<int:pk>/members/import/", views.member_import, name="member_import"),
    path(
        "committees/<int:pk>/reshuffle/",
        views.committee_reshuffle,
        name="committee_reshuffle",
    ),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
