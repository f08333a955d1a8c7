def test_create_and_see(build, client):
    build.two_communities()
    r = client.get("/c/comm-a/")
    assert r.status_code == 200
    assert "甲社区" in r.get_data(as_text=True)
