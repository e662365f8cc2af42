from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Dữ liệu bạn vừa gửi chưa được lưu" in response.content.decode()


def test_server_error_page_is_translated():
    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    assert "has not been saved" in response.content.decode()
