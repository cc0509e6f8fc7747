//! Finding the restricted user in a record.
//!
//! Microsoft names the user in different places depending on the record:
//! `AlertEntityId` of an `AlertEntityGenerated` record whose entity is a
//! user (the integration moves it to `rule.description`), `f3u` inside the
//! alert's `Data`, the record's `ObjectId`. Raw records are normalized
//! before they get here, so one order of ECS fields serves both shapes.

use crate::doc::{Document, FieldPath, Scalar};

/// Where a raw alert record names the user, once normalized: `f3u` inside
/// `Data`, then `ObjectId`. Its `UserId` is the system account, or for
/// `AlertUpdated` the admin who changed the alert, never the user.
const RAW_FIELDS: [&str; 2] = ["o365.audit.Data.f3u", "o365.audit.ObjectId"];

/// Where an ECS document may name the user, in the order they are tried.
const ECS_FIELDS: [&str; 5] = [
    "o365.audit.AlertEntityId",
    "o365.audit.Data.f3u",
    "user.email",
    "o365.audit.ObjectId",
    "related.user",
];

/// The restricted user: the alert's entity when it is a user
/// (`rule.description` when `rule.ruleset` is `User`), else the first of
/// the fields above that holds an address; `raw` says whether the
/// document was normalized from a raw record.
pub fn restricted_user(doc: &dyn Document, raw: bool) -> Option<String> {
    let fields: &[&str] = if raw { &RAW_FIELDS } else { &ECS_FIELDS };
    entity_user(doc).or_else(|| fields.iter().find_map(|path| address_at(doc, path)))
}

fn entity_user(doc: &dyn Document) -> Option<String> {
    let ruleset = FieldPath::new("rule.ruleset");
    let is_user = doc.any_value(&ruleset, &mut |value| value == Scalar::Str("User"));
    if !is_user {
        return None;
    }
    address_at(doc, "rule.description")
}

fn address_at(doc: &dyn Document, path: &str) -> Option<String> {
    let mut found = None;
    doc.any_value(&FieldPath::new(path), &mut |value| match value {
        Scalar::Str(text) if is_address(text) => {
            found = Some(text.to_owned());
            true
        }
        _ => false,
    });
    found
}

/// An address, loosely: one `@` with something on each side, no spaces.
pub fn is_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn user(event: Value) -> Option<String> {
        restricted_user(&event, false)
    }

    #[test]
    fn raw_records_never_take_the_user_id_or_related_users() {
        let event = json!({
            "user": {"id": "admin@contoso.com", "email": "admin@contoso.com"},
            "related": {"user": ["isaiah@fabrikam.com"]},
            "o365": {"audit": {"ObjectId": "diego@contoso.com"}},
        });
        assert_eq!(
            restricted_user(&event, true).as_deref(),
            Some("diego@contoso.com")
        );
        let event = json!({"related": {"user": ["isaiah@fabrikam.com"]}});
        assert_eq!(restricted_user(&event, true), None);
    }

    #[test]
    fn entity_of_a_user_alert_comes_first() {
        let event = json!({
            "rule": {"ruleset": "User", "description": "a@contoso.com"},
            "o365": {"audit": {"Data": {"f3u": "b@contoso.com"}}},
        });
        assert_eq!(user(event).as_deref(), Some("a@contoso.com"));
    }

    #[test]
    fn entity_of_another_kind_is_passed_over() {
        let event = json!({
            "rule": {"ruleset": "MalwareFamily", "description": "x@y.z"},
            "o365": {"audit": {"ObjectId": "c@contoso.com"}},
        });
        assert_eq!(user(event).as_deref(), Some("c@contoso.com"));
    }

    #[test]
    fn flat_dotted_keys_are_read_too() {
        let event = json!({"o365.audit.Data.f3u": "d@contoso.com"});
        assert_eq!(user(event).as_deref(), Some("d@contoso.com"));
    }

    #[test]
    fn related_user_gives_its_first_address() {
        let event = json!({"related": {"user": ["svc", "e@contoso.com"]}});
        assert_eq!(user(event).as_deref(), Some("e@contoso.com"));
    }

    #[test]
    fn values_that_are_not_addresses_are_skipped() {
        let event = json!({
            "o365": {"audit": {"ObjectId": "a7d3c1e9-4b2f-4c8a-9e61"}},
            "user": {"email": "Given Name@contoso.com"},
        });
        assert_eq!(user(event), None);
    }

    #[test]
    fn address_needs_exactly_one_at_and_no_spaces() {
        assert!(is_address("megan.bowen@contoso.com"));
        for text in [
            "",
            "@",
            "a@",
            "@b",
            "a@b@c",
            "a b@c",
            "SecurityComplianceAlerts",
        ] {
            assert!(!is_address(text), "{text:?}");
        }
    }
}
