//! A raw Management Activity API record to the ECS document that
//! Elastic's o365 integration makes of it.
//!
//! The steps follow the integration's ingest pipeline in its order, since
//! the order decides what wins: a field is moved out of the raw record
//! into ECS, and whatever is left stays under `o365.audit`. Where the
//! pipeline's newest output differs from the last pipeline text read
//! (o365.md, 1.1), the output wins: `message` is the alert's name,
//! `related.user` ends with `user.id`, `email.*` are lists, and empty
//! values are gone.
//!
//! Where the pipeline would fail a record (it then indexes it with
//! `event.kind: pipeline_error` and stops), this keeps going and leaves
//! out only the field that failed; each such place has a `NOTE:`.

use serde_json::{Map, Value};

use super::fields::{self, Provider, Raw, ALERT_MOVES, STRING_FIELDS};
use super::{client, json, time};

type Object = Map<String, Value>;

/// The short keys of an alert's `Data` blob that the pipeline copies from
/// `o365.audit.Data.flattened` up to `o365.audit.Data`.
#[rustfmt::skip]
const DATA_KEYS: &[&str] = &[
    "ad", "af", "aii", "ail", "alk", "als", "an", "at", "cid", "cpid",
    "dm", "dpn", "eid", "etps", "etype", "f3u", "fvs", "imsgid", "lon",
    "mat", "md", "ms", "od", "op", "ot", "plk", "pud", "reid", "rid",
    "sev", "sict", "sid", "sip", "sitmi", "srt", "ssic", "suid", "tdc",
    "te", "thn", "tht", "tid", "tpid", "tpt", "trc", "ts", "tsd", "ttdt",
    "ttr", "upfc", "upfv", "ut", "von", "wl", "zfh", "zfn", "zmfh", "zmfn",
    "zu",
];

/// `Data` keys holding times, rewritten as `@timestamp` is.
const DATA_TIMES: [&str; 5] = ["at", "md", "te", "ts", "ttdt"];

/// `Data` keys holding users, added to `related.user` in this order.
// NOTE: o365.md lists `eid` among them; in every fixture it equals `suid`,
// so its place cannot be told apart from the output.
const DATA_USERS: [&str; 5] = ["f3u", "suid", "eid", "tsd", "trc"];

const PLATFORMS: [&str; 6] = [
    "Unknown",
    "Windows",
    "MacOS",
    "iOS",
    "Android",
    "Web Browser",
];

/// Normalizes one raw record (the object inside `o365audit`, `AuditData`
/// or a content blob) to ECS, as the integration's pipeline does. Any
/// object is accepted; what it lacks is left out.
///
/// ```
/// use m365_restricted_sender::o365::normalize;
/// use serde_json::json;
///
/// let raw = json!({
///     "CreationTime": "2024-05-01T10:00:00", "RecordType": 40,
///     "Workload": "SecurityComplianceCenter", "Operation": "AlertTriggered",
///     "Name": "User restricted from sending email",
///     "ResultStatus": "Succeeded"
/// });
/// let event = normalize(raw.as_object().unwrap());
/// assert_eq!(event["event"]["action"], "AlertTriggered");
/// assert_eq!(event["rule"]["name"], "User restricted from sending email");
/// assert_eq!(event["event"]["category"], json!(["web"]));
/// assert_eq!(event["@timestamp"], "2024-05-01T10:00:00.000Z");
/// ```
pub fn normalize(raw: &Map<String, Value>) -> Value {
    let mut normalizer = Normalizer {
        raw: raw.clone(),
        doc: Doc::default(),
    };
    normalizer.run();
    normalizer.finish()
}

/// The raw record being taken apart, and the document being built.
struct Normalizer {
    raw: Map<String, Value>,
    doc: Doc,
}

impl Normalizer {
    fn run(&mut self) {
        let code = fields::code(self.field("RecordType"));
        self.constants(code);
        self.timestamp();
        self.move_to("Id", "event.id");
        let address = self.take_client_address();
        self.user_id();
        self.move_to("Workload", "event.provider");
        self.move_to("Operation", "event.action");
        self.move_to("OrganizationId", "organization.id");
        self.parse_json_text("AdditionalInfo");
        self.parse_json_text("OperationProperties");
        self.move_to("UserAgent", "user_agent.original");
        if let Some(code) = code {
            self.doc.set("event.code", code.into());
        }
        self.outcome();
        self.lists();
        self.severity();
        // TODO: the per-schema steps for ExchangeAdmin, ExchangeItem,
        // AzureActiveDirectory(+StsLogon), SharePoint file operations,
        // DLP metadata, Yammer and Teams (extra categories, renamed
        // actions, file/url/group fields) are not done; those records get
        // the common fields only. None of these steps touches a field that
        // the rule or the alert-name query reads.
        // TODO: DLP records (types 11 and 13) have their kind, category
        // and type only; their policy, metadata and recipients fields
        // (`rule.*`, `file.*`, `destination.user.email`, the outcome from
        // PolicyDetails) stay under `o365.audit`.
        if fields::is_alert(code) {
            self.alert_fields();
        }
        self.client_fields(address);
        self.user_parts();
        self.related_users();
        self.organization();
        self.strings();
        self.provider_from_user_type();
        self.email_fields();
        self.data();
        self.related_user_id();
    }

    fn finish(mut self) -> Value {
        let audit = std::mem::take(&mut self.raw);
        self.doc.set("o365.audit", Value::Object(audit));
        let mut event = Value::Object(self.doc.0);
        // NOTE: inferred from the integration's newest expected output,
        // where an empty `Data.sip` and an empty `AlertLinkHref` are gone.
        drop_empty(&mut event, 0);
        event
    }

    /// A raw field as the per-field rules read it.
    fn field(&self, key: &str) -> Raw<'_> {
        Raw::of(self.raw.get(key))
    }

    /// Moves a raw field, null included, to an ECS field.
    fn move_to(&mut self, from: &str, to: &str) {
        if let Some(value) = self.raw.remove(from) {
            self.doc.set(to, value);
        }
    }

    /// The fields every record has, and those its type decides.
    fn constants(&mut self, code: Option<&str>) {
        let doc = &mut self.doc;
        doc.set("ecs.version", fields::ECS_VERSION.into());
        doc.set("event.kind", fields::kind(code).into());
        doc.set("event.type", fields::types(code).into());
        doc.set("event.category", fields::categories(code).into());
        // NOTE: not set by the pipeline: the index template's
        // constant_keyword fields and Elastic Agent give every document
        // of the data stream these values.
        doc.set("event.dataset", fields::DATASET.into());
        doc.set("event.module", fields::MODULE.into());
        doc.set("data_stream.dataset", fields::DATASET.into());
    }

    fn timestamp(&mut self) {
        if let Some(time) = fields::timestamp(self.field("CreationTime")) {
            self.doc.set("@timestamp", time.to_string().into());
        }
    }

    /// The first of `ClientIPAddress`, `ClientIP`, `ActorIpAddress` that
    /// is not null; the ones before it, being null, go too.
    fn take_client_address(&mut self) -> Option<Value> {
        let mut found: Option<Value> = None;
        for field in ["ClientIPAddress", "ClientIP", "ActorIpAddress"] {
            if found.as_ref().is_none_or(Value::is_null) {
                found = self.raw.remove(field).or(found);
            }
        }
        found
    }

    fn user_id(&mut self) {
        let id = self.raw.get("UserId").and_then(convert_to_string);
        if let Some(id) = id {
            self.doc.set("user.id", id);
        }
    }

    /// A field holding JSON text is parsed in place; if it is not JSON,
    /// it goes.
    fn parse_json_text(&mut self, field: &str) {
        let Some(Value::String(text)) = self.raw.get(field) else {
            return;
        };
        match json::parse(text) {
            Ok(value) => self.raw.insert(field.into(), value),
            Err(_) => self.raw.remove(field),
        };
    }

    fn outcome(&mut self) {
        if let Some(outcome) = fields::outcome(self.field("ResultStatus")) {
            self.doc.set("event.outcome", outcome.into());
        }
    }

    /// Lists Microsoft writes as `[{Name, Value}]` become objects; a
    /// string where a list belongs moves under `_raw`.
    fn lists(&mut self) {
        for field in ["Parameters", "ExtendedProperties"] {
            self.reshape(field, name_values);
        }
        self.reshape("ModifiedProperties", modified_properties);
        self.platform();
        self.alert_links();
    }

    fn reshape(&mut self, field: &str, shape: fn(&[Value]) -> Object) {
        let reshaped = match self.raw.get(field) {
            Some(Value::Array(items)) => Value::Object(shape(items)),
            Some(text @ Value::String(_)) => json_object("_raw", text.clone()),
            _ => return,
        };
        let empty = reshaped.as_object().is_some_and(Map::is_empty);
        if empty && field == "ModifiedProperties" {
            self.raw.remove(field);
        } else {
            self.raw.insert(field.into(), reshaped);
        }
    }

    /// AIP records number their platform; the pipeline names it.
    fn platform(&mut self) {
        let name = self
            .raw
            .get("Platform")
            .and_then(scalar_string)
            .and_then(|text| text.parse::<usize>().ok())
            .and_then(|index| PLATFORMS.get(index));
        if let Some(name) = name {
            self.raw.insert("Platform".into(), (*name).into());
        }
    }

    /// `[{AlertLinkHref}]` becomes the list of links; no link, no field.
    fn alert_links(&mut self) {
        let Some(Value::Array(items)) = self.raw.get("AlertLinks") else {
            return;
        };
        let links: Vec<Value> = items
            .iter()
            .filter_map(|item| item.get("AlertLinkHref"))
            .filter(|href| href.is_string())
            .cloned()
            .collect();
        if links.is_empty() {
            self.raw.remove("AlertLinks");
        } else {
            self.raw.insert("AlertLinks".into(), links.into());
        }
    }

    fn severity(&mut self) {
        if let Some(level) = fields::severity(self.field("Severity")) {
            self.doc.set("event.severity", level.into());
        }
    }

    /// SecurityComplianceAlerts (record type 40). The alert's name goes to
    /// `rule.name` and `message`; `event.action` keeps the `Operation`.
    // NOTE: the pipeline renames `Category` and `AlertEntityId` before the
    // steps that test them, so its extra categories (authentication, file,
    // malware) and its moves of `AlertEntityId` to `user.id`, `user.email`
    // or `threat.technique.id` never happen. Kept that way: it is what
    // Elastic indexes.
    fn alert_fields(&mut self) {
        if let Some(name) = self.raw.get("Name") {
            self.doc.set("message", name.clone());
        }
        for (from, to) in ALERT_MOVES {
            self.move_to(from, to);
        }
        self.move_to("AlertLinks", "rule.reference");
    }

    /// `client.*`, `source.ip`, `source.port`, `network.type`,
    /// `related.ip` from the client address.
    // NOTE: an address that is not a string fails Elastic's pipeline; here
    // it only gives no client fields.
    fn client_fields(&mut self, address: Option<Value>) {
        let Some(Value::String(text)) = address else {
            return;
        };
        let client = client::parse(&text);
        if let Some(ip) = client.ip() {
            let family = if ip.contains(':') { "ipv6" } else { "ipv4" };
            self.doc.set("client.ip", ip.into());
            self.doc.set("source.ip", ip.into());
            self.doc.set("network.type", family.into());
            self.doc.append_unique("related.ip", ip.into());
        }
        if let Some(port) = client.port {
            self.doc.set("client.port", port.into());
            self.doc.set("source.port", port.into());
        }
        if let Some(address) = client.address {
            self.doc.set("client.address", address.into());
        }
        if let Some(domain) = client.domain {
            self.doc.set("client.domain", domain.into());
        }
    }

    /// A `user.id` with exactly one `@` is also an address.
    fn user_parts(&mut self) {
        let Some(id) = self.doc.get_str("user.id").map(str::to_owned) else {
            return;
        };
        let Some((name, domain)) = fields::split_address(&id) else {
            return;
        };
        self.doc.set("user.name", name.into());
        self.doc.set("user.domain", domain.into());
        self.doc.set("user.email", id.into());
    }

    /// `related.user` from `user.name` and `Parameters.User`; also the
    /// user agent some records keep in `ExtendedProperties`.
    fn related_users(&mut self) {
        if let Some(name) = self.doc.get("user.name").cloned() {
            self.doc.append_unique("related.user", name);
        }
        let parameters = self.raw.get("Parameters");
        let user = parameters
            .and_then(|p| p.get("User"))
            .and_then(scalar_string);
        if let Some(user) = user {
            self.doc.append_unique("related.user", user.into());
        }
        self.user_agent_from_properties();
    }

    fn user_agent_from_properties(&mut self) {
        if self.doc.get("user_agent.original").is_some() {
            return;
        }
        let properties = self.raw.get_mut("ExtendedProperties");
        let agent = properties
            .and_then(Value::as_object_mut)
            .and_then(|properties| properties.remove("UserAgent"));
        if let Some(agent) = agent.filter(|agent| !agent.is_null()) {
            self.doc.set("user_agent.original", agent);
        }
    }

    /// `organization.id` in lower case, also as `host.id`; `host.name`
    /// from the user's domain.
    // NOTE: the pipeline names the host after the tenant when it has a
    // tenant table in its configuration; offline there is none.
    fn organization(&mut self) {
        let id = match self.doc.get("organization.id") {
            Some(Value::String(id)) => Some(fields::lower_case(id).into_owned().into()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.clone()),
        };
        if let Some(id) = id {
            self.doc.set("organization.id", id.clone());
            self.doc.set("host.id", id);
        }
        self.host_name_from_domain();
    }

    fn host_name_from_domain(&mut self) {
        if let Some(domain) = self.doc.get("user.domain").cloned() {
            self.doc.set("host.name", domain);
        }
    }

    fn strings(&mut self) {
        for field in STRING_FIELDS {
            let converted = self.raw.get(field).and_then(convert_to_string);
            if let Some(converted) = converted {
                self.raw.insert(field.into(), converted);
            }
        }
        for list in ["Actor", "Target"] {
            if let Some(Value::Array(items)) = self.raw.get_mut(list) {
                items.iter_mut().for_each(type_to_string);
            }
        }
    }

    /// Records without a `Workload` are named after their `UserType`.
    fn provider_from_user_type(&mut self) {
        let workload = Raw::of(self.doc.get("event.provider")).is_some();
        let provider = fields::provider(workload, || self.field("UserType"));
        if let Provider::UserType(user_type) = provider {
            let user_type = user_type.to_owned();
            self.doc.set("event.provider", user_type.into());
        }
    }

    /// `email.*` from the message fields of mail-related records.
    fn email_fields(&mut self) {
        let fields = [
            ("InternetMessageId", "email.message_id"),
            ("NetworkMessageId", "email.local_id"),
            ("P1Sender", "email.sender.address"),
            ("Subject", "email.subject"),
        ];
        for (from, to) in fields {
            if let Some(text) = self.raw.get(from).and_then(non_empty_text) {
                self.doc.append_unique(to, text.into());
            }
        }
        if let Some(Value::Array(recipients)) = self.raw.get("Recipients") {
            if !recipients.is_empty() {
                self.doc.set("email.to.address", recipients.clone().into());
            }
        }
        for field in ["SenderIp", "SenderIP"] {
            if let Some(ip) = self.raw.get(field).and_then(non_empty_text) {
                self.doc.append_unique("related.ip", ip.into());
            }
        }
    }

    /// `Data`, a JSON text inside the record, becomes an object: all of
    /// it under `flattened`, known keys copied up beside it, their times
    /// cut to milliseconds.
    fn data(&mut self) {
        let Some(data) = self.raw.remove("Data") else {
            return;
        };
        // NOTE: `Data` that is already an object (a converted export) is
        // taken as parsed; Elastic's pipeline reads only text there.
        let parsed = match data {
            Value::String(text) => match json::parse(&text) {
                Ok(parsed) => parsed,
                Err(_) => return, // the pipeline drops malformed `Data`
            },
            Value::Null => return,
            other => other,
        };
        let mut known = known_data_fields(&parsed);
        self.users_from_data(&known);
        self.email_from_data(&known);
        known.insert("flattened".into(), parsed);
        self.raw.insert("Data".into(), Value::Object(known));
    }

    fn users_from_data(&mut self, data: &Map<String, Value>) {
        for key in DATA_USERS {
            let user = data.get(key).and_then(Value::as_str);
            let Some(user) = user.filter(|user| is_address(user)) else {
                continue;
            };
            self.doc.append_unique("related.user", user.into());
            if key == "f3u" && self.doc.get("user.email").is_none() {
                self.doc.set("user.email", user.into());
            }
        }
    }

    fn email_from_data(&mut self, data: &Map<String, Value>) {
        let text = |key: &str| data.get(key).and_then(non_empty_text);
        if let Some(sender) = text("tsd") {
            self.doc
                .append_unique("email.sender.address", sender.into());
        }
        if let Some(recipient) = text("trc") {
            self.doc.append_unique("email.to.address", recipient.into());
        }
        if let Some(subject) = text("ms") {
            self.doc.append_unique("email.subject", subject.into());
        }
        let ids = [("aii", "email.local_id"), ("imsgid", "email.message_id")];
        for (key, field) in ids {
            match text(key) {
                Some(id) if self.doc.get(field).is_none() => {
                    self.doc.set(field, vec![id].into());
                }
                _ => {}
            }
        }
    }

    /// The integration's newest output ends `related.user` with `user.id`.
    fn related_user_id(&mut self) {
        if let Some(id) = self.doc.get("user.id").filter(|id| id.is_string()) {
            let id = id.clone();
            self.doc.append_unique("related.user", id);
        }
    }
}

/// The known short keys of a parsed `Data` object, times rewritten.
fn known_data_fields(parsed: &Value) -> Map<String, Value> {
    let mut known = Map::new();
    let Value::Object(fields) = parsed else {
        return known;
    };
    for key in DATA_KEYS {
        if let Some(value) = fields.get(*key) {
            known.insert((*key).into(), value.clone());
        }
    }
    for key in DATA_TIMES {
        let time = known.get(key).and_then(Value::as_str);
        // NOTE: a time Elasticsearch cannot read fails its pipeline; here
        // the text is kept.
        if let Some(time) = time.and_then(time::parse_time_str) {
            known.insert(key.into(), time.to_string().into());
        }
    }
    known
}

/// `[{Name, Value}]` to `{Name: Value}`, items without a value left out;
/// of items with the same name, the last.
fn name_values(items: &[Value]) -> Map<String, Value> {
    let mut map = Map::new();
    for item in items {
        let Some(value) = item.get("Value").filter(|value| !value.is_null()) else {
            continue;
        };
        if let Some(name) = item.get("Name").and_then(scalar_string) {
            map.insert(name, value.clone());
        }
    }
    map
}

/// `[{Name, OldValue, NewValue}]` to `{Name: {OldValue, NewValue}}`, with
/// spaces and dots in names made `_`; a bare name gives an empty entry.
fn modified_properties(items: &[Value]) -> Map<String, Value> {
    let key = |name: &str| name.replace([' ', '.'], "_");
    let mut properties = Map::new();
    for item in items {
        match item {
            Value::String(name) => {
                properties.insert(key(name), Value::Object(Map::new()));
            }
            Value::Object(fields) => {
                let name = fields.get("Name").and_then(Value::as_str);
                let old = fields.get("OldValue").filter(|v| !v.is_null());
                let new = fields.get("NewValue").filter(|v| !v.is_null());
                if let (Some(name), Some(old), Some(new)) = (name, old, new) {
                    let mut change = json_object("NewValue", new.clone());
                    if let Value::Object(change) = &mut change {
                        change.insert("OldValue".into(), old.clone());
                    }
                    properties.insert(key(name), change);
                }
            }
            _ => {}
        }
    }
    properties
}

fn type_to_string(item: &mut Value) {
    let Some(fields) = item.as_object_mut() else {
        return;
    };
    let converted = fields.get("Type").and_then(convert_to_string);
    if let Some(converted) = converted {
        fields.insert("Type".into(), converted);
    }
}

fn json_object(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.into(), value);
    Value::Object(map)
}

/// A scalar as the pipeline's templates print it.
fn scalar_string(value: &Value) -> Option<String> {
    fields::scalar_text(Raw::of(Some(value))).map(str::to_owned)
}

fn non_empty_text(value: &Value) -> Option<String> {
    scalar_string(value).filter(|text| !text.is_empty())
}

/// Elasticsearch's `convert` to string: scalars become text, a list is
/// converted item by item; null and objects give nothing.
// NOTE: an object fails Elastic's pipeline; here the field is left as is.
fn convert_to_string(value: &Value) -> Option<Value> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| scalar_string(item).map(Value::String))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        other => scalar_string(other).map(Value::String),
    }
}

/// The pipeline's test for a user in `Data`: one `@`, three characters.
fn is_address(text: &str) -> bool {
    fields::split_address(text).is_some() && text.encode_utf16().count() >= 3
}

/// Past this depth values are kept as they are: the walk stays bounded
/// even for a record built by hand rather than parsed.
const DROP_DEPTH_LIMIT: usize = 512;

/// Removes nulls, empty strings, and lists and objects left empty;
/// returns whether `value` itself is empty.
fn drop_empty(value: &mut Value, depth: usize) -> bool {
    if depth > DROP_DEPTH_LIMIT {
        return false;
    }
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => {
            items.retain_mut(|item| !drop_empty(item, depth + 1));
            items.is_empty()
        }
        Value::Object(fields) => {
            fields.retain(|_, item| !drop_empty(item, depth + 1));
            fields.is_empty()
        }
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The document being built, addressed by dotted paths that this module
/// writes (never by paths from the input).
#[derive(Default)]
struct Doc(Map<String, Value>);

impl Doc {
    fn set(&mut self, path: &str, value: Value) {
        set_in(&mut self.0, path, value);
    }

    fn get(&self, path: &str) -> Option<&Value> {
        let mut keys = path.split('.');
        let first = self.0.get(keys.next()?)?;
        keys.try_fold(first, |value, key| value.get(key))
    }

    fn get_str(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    /// Appends to the list at `path` unless the value is there already.
    fn append_unique(&mut self, path: &str, value: Value) {
        let mut list = match self.get(path) {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        if !list.contains(&value) {
            list.push(value);
        }
        self.set(path, Value::Array(list));
    }
}

fn set_in(map: &mut Map<String, Value>, path: &str, value: Value) {
    let Some((first, rest)) = path.split_once('.') else {
        map.insert(path.into(), value);
        return;
    };
    let slot = map
        .entry(first)
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        set_in(inner, rest, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_empty_is_bounded() {
        let mut deep = Value::Null;
        for _ in 0..5_000 {
            deep = Value::Array(vec![deep]);
        }
        let mut doc = json_object("deep", deep);
        assert!(!drop_empty(&mut doc, 0));
    }
}
