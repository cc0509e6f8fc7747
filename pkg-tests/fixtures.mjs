// Synthetic records for the API tests: the made-up tenant contoso.com,
// example GUIDs, documentation IP ranges.

export const ALERT_NAME = "User restricted from sending email";

/** A raw Management Activity API record of the real alert. */
export const RAW_ALERT = {
  CreationTime: "2026-11-30T09:05:41",
  Id: "11111111-2222-4333-8444-555555555555",
  Operation: "AlertEntityGenerated",
  OrganizationId: "00000000-1111-4222-8333-444444444444",
  RecordType: 40,
  ResultStatus: "Succeeded",
  UserKey: "SecurityComplianceAlerts",
  UserType: 4,
  Version: 1,
  Workload: "SecurityComplianceCenter",
  ObjectId: "nestor.wilke@contoso.com",
  UserId: "SecurityComplianceAlerts",
  AlertId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
  AlertType: "System",
  Name: ALERT_NAME,
  Category: "ThreatManagement",
  Severity: "High",
  Source: "Office 365 Security & Compliance",
  Status: "Active",
  EntityType: "User",
  AlertEntityId: "nestor.wilke@contoso.com",
  Comments: "New alert",
};

/** An ECS document that the rule's own query matches. */
export const ECS_QUERY_HIT = {
  "@timestamp": "2026-11-30T13:02:44.000Z",
  event: {
    dataset: "o365.audit",
    provider: "SecurityComplianceCenter",
    category: ["web"],
    action: ALERT_NAME,
    outcome: "success",
  },
  user: { email: "isaiah.langer@contoso.com" },
};

/** The same document without `event.dataset`, as a data stream holds it. */
export const ECS_NO_DATASET = {
  "@timestamp": "2026-11-30T13:02:44.000Z",
  event: {
    provider: "SecurityComplianceCenter",
    category: ["web"],
    action: ALERT_NAME,
    outcome: "success",
  },
  user: { email: "isaiah.langer@contoso.com" },
};

/** An ordinary sign-in: no verdict is true. */
export const RAW_SIGN_IN = {
  CreationTime: "2026-11-30T08:41:07",
  Id: "66666666-7777-4888-8999-aaaaaaaaaaaa",
  Operation: "UserLoggedIn",
  OrganizationId: "00000000-1111-4222-8333-444444444444",
  RecordType: 15,
  ResultStatus: "Success",
  UserType: 0,
  Version: 1,
  Workload: "AzureActiveDirectory",
  ClientIP: "198.51.100.7",
  UserId: "nestor.wilke@contoso.com",
};

export const ALL = { RAW_ALERT, ECS_QUERY_HIT, ECS_NO_DATASET, RAW_SIGN_IN };

export function ndjson(...records) {
  return records.map((record) => JSON.stringify(record)).join("\n") + "\n";
}
