use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn iam_scope() -> Scope<'static> {
    Scope {
        timestamp: "20150830T123600Z",
        access_key: "AKIDEXAMPLE",
        secret_key: SECRET,
        region: "us-east-1",
        service: "iam",
    }
}

/// The worked example of AWS's Signature Version 4 documentation (IAM
/// `ListUsers`), whose signature is published there.
#[test]
fn aws_documentation_example() {
    let headers = [
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("X-Amz-Date", "20150830T123600Z"),
    ];
    let request = Request {
        method: "GET",
        path: "/",
        query: "Action=ListUsers&Version=2010-05-08",
        headers: &headers,
        host: "iam.amazonaws.com",
        payload: Payload::Body(b""),
    };
    let value = authorization(&request, &iam_scope()).unwrap();
    assert_eq!(
        value,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date, \
         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    );
}

#[test]
fn canonical_headers_follow_botocore() {
    let headers = [
        ("X-Multi", "a"),
        ("User-Agent", "never signed"),
        ("x-multi", "  b   c  "),
        ("Host", "example.com:8000"),
        ("X-Spaces", "one\x0btwo\x1cthree"),
    ];
    let request = Request {
        method: "post",
        path: "/",
        query: "",
        headers: &headers,
        host: "ignored.example",
        payload: Payload::Hash("UNSIGNED-PAYLOAD"),
    };
    let (text, signed) = canonical_request(&request).unwrap();
    assert_eq!(signed, "host;x-multi;x-spaces");
    assert_eq!(
        text,
        "POST\n/\n\nhost:example.com:8000\nx-multi:a,b c\nx-spaces:one two three\n\n\
         host;x-multi;x-spaces\nUNSIGNED-PAYLOAD"
    );
}

#[test]
fn host_is_added_when_absent_and_payload_is_hashed() {
    let request = Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &[],
        host: "127.0.0.1:8000",
        payload: Payload::Body(b"{}"),
    };
    let (text, signed) = canonical_request(&request).unwrap();
    assert_eq!(signed, "host");
    assert!(text.ends_with(&sha256_hex(b"{}")));
    assert!(text.contains("\nhost:127.0.0.1:8000\n"));
}

#[test]
fn non_ascii_headers_are_refused() {
    let headers = [("X-Name", "caf\u{e9}")];
    let request = Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        host: "h",
        payload: Payload::Body(b""),
    };
    let err = authorization(&request, &iam_scope()).unwrap_err();
    assert!(err.to_string().contains("X-Name"), "{err}");
}

#[test]
fn short_timestamp_is_refused() {
    let request = Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &[],
        host: "h",
        payload: Payload::Body(b""),
    };
    let scope = Scope {
        timestamp: "2015",
        ..iam_scope()
    };
    assert!(authorization(&request, &scope).is_err());
}
