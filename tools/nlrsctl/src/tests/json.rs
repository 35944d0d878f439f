use crate::json;

#[test]
fn strings_are_escaped() {
    assert_eq!(json::string("plain"), r#""plain""#);
    assert_eq!(json::string(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(json::string("l1\nl2\r\t"), r#""l1\nl2\r\t""#);
    assert_eq!(json::string("\u{1}\u{1f}\u{7f}"), r#""\u0001\u001f\u007f""#);
    assert_eq!(json::string("\u{8}\u{c}"), r#""\b\f""#);
    assert_eq!(json::string("héllo ✓ /"), "\"héllo ✓ /\"");
    assert_eq!(json::string("\u{2028}"), r#""\u2028""#);
}

#[test]
fn invalid_utf8_bytes_are_replaced() {
    assert_eq!(json::bytes(b"a\xffb"), "\"a\u{fffd}b\"");
}

#[test]
fn objects_and_arrays() {
    let o = json::Obj::new()
        .str("k", "v\"")
        .num("n", -3)
        .raw("a", &json::array(["1".to_owned(), "2".to_owned()]))
        .opt_str("skip", None)
        .opt_str("keep", Some("x"))
        .finish();
    assert_eq!(o, r#"{"k":"v\"","n":-3,"a":[1,2],"keep":"x"}"#);
    assert_eq!(json::Obj::new().finish(), "{}");
    assert_eq!(json::array(Vec::new()), "[]");
}
