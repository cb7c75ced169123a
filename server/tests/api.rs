//! HTTP routes: idempotent posting, validation errors, history paging, test
//! hooks, static files and CORS.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use sse_chat_server::{App, Config};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_with_client_id_is_idempotent() {
    let server = start(memory_config()).await;
    let client = client();
    let url = server.url("/api/messages");
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    events.until_ready().await;
    let body = json!({"room": "general", "user": "alice", "text": "once", "client_id": "k3j-9_Z"});

    let first = post_json(&client, &url, &body).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.raw);
    let stored = first.body.clone();
    assert_eq!(stored["room"], "general");
    assert_eq!(stored["user"], "alice");
    assert_eq!(stored["text"], "once");
    assert_eq!(stored["client_id"], "k3j-9_Z");
    assert!(stored["id"].as_i64().is_some() && stored["ts"].as_i64().is_some());
    assert_eq!(events.next_of("message").await.json(), stored);

    // A retry (even with different content) returns the stored message.
    let retry = post_json(
        &client,
        &url,
        &json!({"room": "general", "user": "alice", "text": "changed", "client_id": "k3j-9_Z"}),
    )
    .await;
    assert_eq!(retry.status.as_u16(), 200);
    assert_eq!(retry.body, stored);

    // Without client_id every POST stores a new message; client_id is null.
    let plain = post_message(&client, &server, "general", "alice", "twice").await;
    assert_eq!(plain["client_id"], Value::Null);
    // The repeat was not broadcast again: the next message on the open
    // stream is the one posted after it.
    assert_eq!(events.next_of("message").await.json(), plain);
    let plain2 = post_message(&client, &server, "general", "alice", "twice").await;
    assert_eq!(events.next_of("message").await.json(), plain2);

    // Two concurrent POSTs with one new client_id store one message: one
    // answer is 201, the other 200 with the same message.
    let race = json!({"room": "general", "user": "bob", "text": "racing", "client_id": "race-1"});
    let (a, b) = tokio::join!(
        post_json(&client, &url, &race),
        post_json(&client, &url, &race)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 201], "{} / {}", a.raw, b.raw);
    assert_eq!(a.body, b.body);
    assert_eq!(events.next_of("message").await.json(), a.body);
    let sentinel = post_message(&client, &server, "general", "alice", "after the race").await;
    assert_eq!(
        events.next_of("message").await.json(),
        sentinel,
        "the losing POST of the race was not broadcast"
    );

    let history = get(&client, &server.url("/api/rooms/general/messages")).await;
    let texts: Vec<&str> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["once", "twice", "twice", "racing", "after the race"]
    );
    assert_eq!(history.body["messages"][0], stored);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_message_bodies_get_json_errors_naming_the_problem() {
    let server = start(memory_config()).await;
    let client = client();
    let url = server.url("/api/messages");
    let ok = |extra: Value| {
        let mut body = json!({"room": "general", "user": "alice", "text": "hi"});
        for (key, value) in extra.as_object().unwrap() {
            if value == "<remove>" {
                body.as_object_mut().unwrap().remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (ok(json!({"room": "<remove>"})), 422, "`room`"),
        (ok(json!({"room": ""})), 422, "`room`"),
        (ok(json!({"room": "   "})), 422, "`room`"),
        (ok(json!({"room": "has space"})), 422, "`room`"),
        (ok(json!({"room": "x".repeat(65)})), 422, "`room`"),
        (ok(json!({"room": 7})), 422, "`room`"),
        (ok(json!({"user": "<remove>"})), 422, "`user`"),
        (ok(json!({"user": null})), 422, "`user`"),
        (ok(json!({"user": " \t"})), 422, "`user`"),
        (ok(json!({"user": " alice"})), 422, "`user`"),
        (ok(json!({"user": "ali\u{0}ce"})), 422, "`user`"),
        (ok(json!({"user": "u".repeat(33)})), 422, "`user`"),
        (ok(json!({"text": "<remove>"})), 422, "`text`"),
        (ok(json!({"text": " \n "})), 422, "`text`"),
        (ok(json!({"text": ["a"]})), 422, "`text`"),
        (ok(json!({"text": "é".repeat(4001)})), 413, "`text`"),
        (ok(json!({"client_id": ""})), 422, "`client_id`"),
        (ok(json!({"client_id": "has space"})), 422, "`client_id`"),
        (ok(json!({"client_id": "c".repeat(65)})), 422, "`client_id`"),
        (ok(json!({"client_id": 5})), 422, "`client_id`"),
        (json!(["not", "an", "object"]), 422, "JSON object"),
    ];
    for (body, status, mentions) in cases {
        let reply = post_json(&client, &url, &body).await;
        reply.assert_error(status, mentions);
    }
    // The limits themselves are accepted.
    let edge = ok(
        json!({"room": "r".repeat(64), "user": "ü".repeat(32), "text": "é".repeat(4000), "client_id": "c".repeat(64)}),
    );
    assert_eq!(post_json(&client, &url, &edge).await.status.as_u16(), 201);

    // Invalid JSON → 400.
    let reply = Reply::from(
        client
            .post(&url)
            .header("content-type", "application/json")
            .body("{\"room\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    reply.assert_error(400, "JSON");

    // Wrong or missing content type → 415.
    for content_type in [Some("text/plain"), None] {
        let mut request = client
            .post(&url)
            .body(r#"{"room":"general","user":"a","text":"b"}"#);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        Reply::from(request.send().await.unwrap())
            .await
            .assert_error(415, "Content-Type");
    }
    // `application/json; charset=utf-8` is JSON.
    let reply = Reply::from(
        client
            .post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .body(r#"{"room":"general","user":"a","text":"b"}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 201);

    // Body over 64 KiB → 413, with a Content-Length and chunked.
    let big = json!({"room": "general", "user": "a", "text": "x".repeat(70 * 1024)}).to_string();
    Reply::from(
        client
            .post(&url)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap(),
    )
    .await
    .assert_error(413, "64 KiB");
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(8192)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    Reply::from(
        client
            .post(&url)
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            )))
            .send()
            .await
            .unwrap(),
    )
    .await
    .assert_error(413, "64 KiB");

    // Nothing invalid was stored.
    let history = get(
        &client,
        &server.url(&format!("/api/rooms/{}/messages", "r".repeat(64))),
    )
    .await;
    assert_eq!(history.body["messages"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_queries_routes_and_methods_get_json_errors() {
    let server = start(memory_config()).await;
    let client = client();

    get(&client, &server.url("/api/events?last_event_id=abc"))
        .await
        .assert_error(400, "last_event_id");
    Reply::from(
        client
            .get(server.url("/api/events"))
            .header("last-event-id", "12x")
            .send()
            .await
            .unwrap(),
    )
    .await
    .assert_error(400, "Last-Event-ID");
    get(&client, &server.url("/api/events?rooms=ok,not%20ok"))
        .await
        .assert_error(422, "`rooms`");
    get(&client, &server.url("/api/events?rooms="))
        .await
        .assert_error(422, "`rooms`");
    let many: Vec<String> = (0..21).map(|i| format!("r{i}")).collect();
    get(
        &client,
        &server.url(&format!("/api/events?rooms={}", many.join(","))),
    )
    .await
    .assert_error(422, "at most 20");
    get(&client, &server.url("/api/events?user=%20bob"))
        .await
        .assert_error(422, "`user`");

    let history = |q: &str| server.url(&format!("/api/rooms/general/messages{q}"));
    get(&client, &history("?limit=0"))
        .await
        .assert_error(422, "`limit`");
    get(&client, &history("?limit=201"))
        .await
        .assert_error(422, "`limit`");
    get(&client, &history("?limit=ten"))
        .await
        .assert_error(400, "`limit`");
    get(&client, &history("?before=x"))
        .await
        .assert_error(400, "`before`");
    get(&client, &server.url("/api/rooms/bad%20room/messages"))
        .await
        .assert_error(422, "room name");
    // Not even text after percent-decoding: unreadable → 400.
    get(&client, &server.url("/api/rooms/%FF/messages"))
        .await
        .assert_error(400, "room name");

    let typing = server.url("/api/typing");
    post_json(&client, &typing, &json!({"room": "general"}))
        .await
        .assert_error(422, "`user`");
    post_json(&client, &typing, &json!({"user": "bob", "room": "a b"}))
        .await
        .assert_error(422, "`room`");

    get(&client, &server.url("/api/nope"))
        .await
        .assert_error(404, "/api/nope");
    get(&client, &server.url("/api"))
        .await
        .assert_error(404, "/api");
    get(&client, &server.url("/not-api"))
        .await
        .assert_error(404, "/not-api");
    // Hooks are off by default.
    post_json(&client, &server.url("/api/_test/fail"), &json!({}))
        .await
        .assert_error(404, "/api/_test/fail");

    let wrong_method = Reply::from(
        client
            .delete(server.url("/api/messages"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    wrong_method.assert_error(405, "DELETE");
    assert!(wrong_method.headers.contains_key("allow"));
    Reply::from(client.post(server.url("/api/health")).send().await.unwrap())
        .await
        .assert_error(405, "POST");
    let put = Reply::from(client.put(server.url("/api/events")).send().await.unwrap()).await;
    put.assert_error(405, "PUT");
    assert_eq!(put.headers["allow"], "GET");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_on_the_event_stream_is_refused_without_side_effects() {
    let server = start(Config {
        test_hooks: true,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut watcher =
        SseStream::connect(&client, &server.url("/api/events?user=watcher"), None).await;
    watcher.until_ready().await;
    wait_joined(&mut watcher, "watcher").await;
    // An armed fault is not consumed by HEAD.
    let armed = post_json(
        &client,
        &server.url("/api/_test/fail"),
        &json!({"route": "events", "status": 503}),
    )
    .await;
    assert_eq!(armed.status.as_u16(), 204);

    let head = client
        .head(server.url("/api/events?user=ghost&rooms=general"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 405);
    assert_eq!(head.headers()["allow"], "GET");
    assert!(head.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    // The fault is still armed for the next GET.
    get(&client, &server.url("/api/events"))
        .await
        .assert_error(503, "Injected");
    // No presence join (or leave) of `ghost` happened: the next presence
    // event the watcher sees is the join of `marker`, which came later (a
    // join of `ghost` would be announced in the same tick or earlier).
    let mut marker =
        SseStream::connect(&client, &server.url("/api/events?user=marker"), None).await;
    marker.until_ready().await;
    assert_eq!(
        watcher.next_of("presence").await.json(),
        json!({"room": "general", "joined": "marker"})
    );
    // HEAD elsewhere still works like GET without a body.
    let health = client.head(server.url("/api/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_backwards_with_before_and_limit() {
    let server = start(memory_config()).await;
    let client = client();
    let mut ids = Vec::new();
    for i in 0..7 {
        let message = post_message(&client, &server, "hist", "alice", &format!("m{i}")).await;
        ids.push(message["id"].as_i64().unwrap());
        post_message(&client, &server, "other", "bob", "noise").await;
    }
    let page = |q: String| {
        let client = client.clone();
        let url = server.url(&format!("/api/rooms/hist/messages{q}"));
        async move {
            let reply = get(&client, &url).await;
            assert_eq!(reply.status.as_u16(), 200, "{}", reply.raw);
            let got: Vec<i64> = reply.body["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect();
            (got, reply.body["has_more"].as_bool().unwrap())
        }
    };
    assert_eq!(page("?limit=3".into()).await, (ids[4..].to_vec(), true));
    assert_eq!(
        page(format!("?before={}&limit=3", ids[4])).await,
        (ids[1..4].to_vec(), true)
    );
    assert_eq!(
        page(format!("?before={}&limit=3", ids[1])).await,
        (ids[..1].to_vec(), false)
    );
    assert_eq!(
        page(format!("?before={}&limit=1", ids[1])).await,
        (ids[..1].to_vec(), false)
    );
    assert_eq!(page(String::new()).await, (ids.clone(), false));
    // An empty `before` means "newest page", as a client filling the URL
    // template `?before={before}&limit={limit}` sends for the first page.
    assert_eq!(
        page("?before=&limit=3".into()).await,
        (ids[4..].to_vec(), true)
    );
    assert_eq!(page("?before=".into()).await, (ids.clone(), false));
    assert_eq!(page("?limit=200".into()).await, (ids.clone(), false));
    let empty = get(&client, &server.url("/api/rooms/empty/messages")).await;
    assert_eq!(empty.body, json!({"messages": [], "has_more": false}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_injection_hooks_fail_requests_and_drop_streams() {
    let server = start(Config {
        test_hooks: true,
        ..memory_config()
    })
    .await;
    let client = client();
    let fail = server.url("/api/_test/fail");

    let armed = post_json(
        &client,
        &fail,
        &json!({"route": "messages", "status": 503, "times": 2}),
    )
    .await;
    assert_eq!(armed.status.as_u16(), 204);
    let message = json!({"room": "general", "user": "a", "text": "b"});
    for _ in 0..2 {
        let reply = post_json(&client, &server.url("/api/messages"), &message).await;
        reply.assert_error(503, "Injected");
        assert_eq!(reply.headers["retry-after"], "1");
    }
    assert_eq!(
        post_json(&client, &server.url("/api/messages"), &message)
            .await
            .status
            .as_u16(),
        201
    );

    post_json(
        &client,
        &fail,
        &json!({"route": "events", "status": 204, "times": 1}),
    )
    .await;
    let reply = get(&client, &server.url("/api/events")).await;
    assert_eq!(reply.status.as_u16(), 204);
    assert!(reply.raw.is_empty());
    post_json(&client, &fail, &json!({"route": "events", "status": 500})).await;
    get(&client, &server.url("/api/events"))
        .await
        .assert_error(500, "Injected");
    post_json(&client, &fail, &json!({"route": "events", "status": 429})).await;
    let reply = get(&client, &server.url("/api/events")).await;
    reply.assert_error(429, "Injected");
    assert_eq!(reply.headers["retry-after"], "1");

    for bad in [
        json!({"route": "nope", "status": 500}),
        json!({"route": "events", "status": 600}),
        json!({"route": "events", "status": 199}),
        json!({"route": "events"}),
        json!({"route": "events", "status": 500, "times": 0}),
    ] {
        post_json(&client, &fail, &bad)
            .await
            .assert_error(422, "field");
    }

    let mut one = SseStream::connect(&client, &server.url("/api/events"), None).await;
    let mut two = SseStream::connect(&client, &server.url("/api/events?rooms=a,b"), None).await;
    one.until_ready().await;
    two.until_ready().await;
    let reply = Reply::from(
        client
            .post(server.url("/api/_test/drop"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 204);
    one.expect_end().await;
    two.expect_end().await;
    // New streams work normally afterwards and resume where they were.
    let mut again =
        SseStream::connect(&client, &server.url("/api/events?last_event_id=0"), None).await;
    let (before, _) = again.until_ready().await;
    assert_eq!(before.iter().filter(|e| e.event == "message").count(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_with_spa_fallback_outside_api() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app.js"), "console.log(1)").unwrap();
    let server = start(Config {
        static_dir: Some(dir.path().to_path_buf()),
        ..memory_config()
    })
    .await;
    let client = client();
    let text = |path: &str| {
        let client = client.clone();
        let url = server.url(path);
        async move {
            let response = client.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            (status, content_type, response.text().await.unwrap())
        }
    };
    let (status, content_type, body) = text("/").await;
    assert_eq!(
        (status, body.as_str()),
        (200, "<!doctype html><title>app</title>")
    );
    assert!(content_type.starts_with("text/html"));
    let (status, content_type, body) = text("/assets/app.js").await;
    assert_eq!((status, body.as_str()), (200, "console.log(1)"));
    assert!(content_type.contains("javascript"));
    let (status, _, body) = text("/rooms/general/deep/link").await;
    assert_eq!((status, body.contains("<title>app</title>")), (200, true));
    // /api paths never fall back to the app.
    get(&client, &server.url("/api/unknown"))
        .await
        .assert_error(404, "/api/unknown");
    assert_eq!(
        get(&client, &server.url("/api/health")).await.body["status"],
        "ok"
    );
    server.stop().await;

    // A directory without index.html is refused at startup.
    let empty = tempfile::tempdir().unwrap();
    let err = App::new(Config {
        static_dir: Some(empty.path().to_path_buf()),
        ..memory_config()
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("index.html"), "{err:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_configured_origins() {
    let allowed = "http://127.0.0.1:9000";
    let server = start(Config {
        allow_origin: vec![allowed.into()],
        ..memory_config()
    })
    .await;
    let client = client();
    let preflight = |origin: &'static str| {
        client
            .request(Method::OPTIONS, server.url("/api/messages"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight(allowed).await.unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(ok.headers()["access-control-allow-origin"], allowed);
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("content-type"), "{headers}");

    let other = preflight("http://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let simple = client
        .get(server.url("/api/health"))
        .header("origin", allowed)
        .send()
        .await
        .unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], allowed);
    let simple = client
        .get(server.url("/api/health"))
        .header("origin", "http://127.0.0.1:9001")
        .send()
        .await
        .unwrap();
    assert!(!simple.headers().contains_key("access-control-allow-origin"));
    server.stop().await;

    // Malformed origins are refused at startup.
    let err = App::new(Config {
        allow_origin: vec!["http://127.0.0.1:9000/".into()],
        ..memory_config()
    })
    .unwrap_err();
    assert!(format!("{err:#}").contains("--allow-origin"), "{err:#}");
}
