def test_it_logs_in_with_the_demo_shape(api, manager, token_a, client):
    response = client.post(
        "/session/login",
        {"clientName": "ACME", "userName": "manager", "password": "correct horse battery"},
        content_type="application/json",
        HTTP_LV_ACCESS=token_a,
    )
    assert response.status_code == 200
    assert response.content.startswith(b'{"sessionId":"')
