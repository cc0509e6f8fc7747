// Synthetic Microsoft 365 audit records, as the Management Activity API
// returns them, from a seeded generator: the same seed and count give the
// same records, byte for byte, on every machine.
//
// The records come in blocks of BLOCK. Each block holds exactly one
// "User restricted from sending email" alert (its AlertTriggered and
// AlertEntityGenerated records), one record of each near miss, and
// background activity from Exchange, Azure AD, SharePoint and the
// Security & Compliance Center. Every QUERY_EVERY-th block also holds a
// record that the rule's own query matches (an SCC record whose
// Operation is the alert's name). The generator knows which records are
// hits, so the benchmark can check every scanner against it.

export const ALERT_NAME = "User restricted from sending email";
export const BLOCK = 1000;
const QUERY_EVERY = 5;

const TENANT = "4f1c7a2e-9b3d-4e8a-a6c5-2d7e0b9f1a3c";
const START_MS = Date.UTC(2026, 0, 5, 6, 0, 0);

/** mulberry32: small, fast, and good enough to spread test data. */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "adele", "alex", "allan", "diego", "grady", "henrietta", "isaiah",
  "johanna", "joni", "lee", "lidia", "lynne", "megan", "miriam", "nestor",
  "patti", "pradeep", "irvin", "debra", "christie",
];
const LAST = [
  "vance", "wilber", "deyoung", "siciliani", "archie", "mueller",
  "langer", "lauridsen", "sherman", "gu", "holloway", "robbins", "bowen",
  "graham", "wilke", "fernandez", "gupta", "sayre", "berger", "cline",
];
const SUBJECTS = [
  "Quarterly planning notes", "Invoice 4471 for review",
  "Team offsite agenda", "Re: contract draft v3", "Weekly status",
  "Updated travel policy", "Lunch on Friday?", "Budget figures FY26",
];
const FILES = [
  "Budget FY26.xlsx", "Offsite plan.docx", "Roadmap.pptx",
  "Vendor list.csv", "Meeting notes.docx", "Architecture.vsdx",
];
const OTHER_ALERTS = [
  ["Email sending limit exceeded", "Medium"],
  ["Suspicious email sending patterns detected", "Medium"],
  ["Tenant restricted from sending unprovisioned email", "High"],
  ["Email reported by user as malware or phish", "Informational"],
  ["Creation of forwarding/redirect rule", "Informational"],
];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/131.0.0.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
  "Microsoft Office/16.0 (Windows NT 10.0; Outlook 16.0.17928)",
];

/** The writer of one data set: `next()` gives the next record. */
export class RecordSource {
  constructor(seed) {
    this.random = prng(seed);
    this.index = 0;
    this.clock = START_MS;
    this.plan = [];
    this.users = this.makeUsers(400);
  }

  makeUsers(count) {
    return Array.from({ length: count }, (_, n) => {
      const first = FIRST[n % FIRST.length];
      const last = LAST[Math.floor(n / FIRST.length) % LAST.length];
      const domain = n % 7 === 3 ? "fabrikam.com" : "contoso.com";
      return `${first}.${last}@${domain}`;
    });
  }

  /** The next record: `{ text, hit }`, `hit` null or the verdicts. */
  next() {
    if (this.plan.length === 0) this.plan = this.planBlock();
    const kind = this.plan.shift();
    this.clock += 200 + Math.floor(this.random() * 1600);
    const made = this[kind]();
    this.index += 1;
    return made;
  }

  /** The kinds of the next BLOCK records, special ones at random spots. */
  planBlock() {
    const block = Math.floor(this.index / BLOCK);
    const plan = Array.from({ length: BLOCK }, () => this.backgroundKind());
    const special = ["nearCase", "nearExchange", "nearFailed", "nearName"];
    if (block % QUERY_EVERY === QUERY_EVERY - 1) special.push("queryHit");
    for (const kind of special) plan[this.freeSlot(plan, 1)] = kind;
    const start = this.freeSlot(plan, 2);
    plan[start] = "alertTriggered";
    plan[start + 1] = "alertEntity";
    return plan;
  }

  freeSlot(plan, length) {
    for (;;) {
      const at = Math.floor(this.random() * (plan.length - length));
      const slots = plan.slice(at, at + length);
      if (slots.every((kind) => kind.startsWith("bg"))) return at;
    }
  }

  backgroundKind() {
    const roll = this.random();
    if (roll < 0.3) return "bgMailAccess";
    if (roll < 0.45) return "bgSend";
    if (roll < 0.5) return "bgInboxRule";
    if (roll < 0.72) return "bgLogon";
    if (roll < 0.94) return "bgFile";
    return "bgOtherAlert";
  }

  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }

  guid() {
    const hex = (digits) => {
      let text = "";
      for (let i = 0; i < digits; i++) {
        text += "0123456789abcdef"[Math.floor(this.random() * 16)];
      }
      return text;
    };
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  }

  ip() {
    const octet = () => Math.floor(this.random() * 254) + 1;
    return `${this.pick(["198.51.100", "203.0.113"])}.${octet()}`;
  }

  /** CreationTime as Microsoft writes it: UTC, seconds, no zone. */
  time(offsetMs = 0) {
    return new Date(this.clock + offsetMs).toISOString().slice(0, 19);
  }

  common(operation, recordType, workload, user) {
    return {
      CreationTime: this.time(),
      Id: this.guid(),
      Operation: operation,
      OrganizationId: TENANT,
      RecordType: recordType,
      ResultStatus: "Succeeded",
      UserKey: user === "SecurityComplianceAlerts" ? user : this.userKey(),
      UserType: user === "SecurityComplianceAlerts" ? 4 : 0,
      Version: 1,
      Workload: workload,
      UserId: user,
    };
  }

  userKey() {
    const digits = Math.floor(this.random() * 1e8);
    return `10032000${String(digits).padStart(8, "0")}`;
  }

  record(fields, hit = null) {
    return { text: JSON.stringify(fields), hit };
  }

  bgMailAccess() {
    const user = this.pick(this.users);
    return this.record({
      ...this.common("MailItemsAccessed", 50, "Exchange", user),
      ClientIP: this.ip(),
      ClientIPAddress: this.ip(),
      ClientInfoString: "Client=OWA;Action=ViaProxy",
      ExternalAccess: false,
      LogonType: 0,
      MailboxOwnerUPN: user,
      OperationProperties: [
        { Name: "MailAccessType", Value: "Bind" },
        { Name: "IsThrottled", Value: "False" },
      ],
      Folders: [{ Id: "LgAAAADh2f0V1Qm", Path: "\\Inbox" }],
      OperationCount: 1 + Math.floor(this.random() * 9),
    });
  }

  bgSend(subject = this.pick(SUBJECTS)) {
    const user = this.pick(this.users);
    return this.record({
      ...this.common("Send", 2, "Exchange", user),
      ClientIP: this.ip(),
      ClientInfoString: "Client=MSExchangeRPC",
      ExternalAccess: false,
      LogonType: 0,
      MailboxOwnerUPN: user,
      Item: {
        Id: "RgAAAAD2m0iR3xQ",
        InternetMessageId: `<${this.guid()}@contoso.com>`,
        ParentFolder: { Id: "LgAAAADh2f0V1Qm", Path: "\\Sent Items" },
        Subject: subject,
        SizeInBytes: 2000 + Math.floor(this.random() * 90000),
      },
    });
  }

  bgInboxRule() {
    const user = this.pick(this.users);
    return this.record({
      ...this.common("New-InboxRule", 1, "Exchange", user),
      ResultStatus: "True",
      ClientIP: this.ip(),
      ObjectId: `${user}\\Move to Archive`,
      Parameters: [
        { Name: "Name", Value: "Move to Archive" },
        { Name: "From", Value: this.pick(this.users) },
        { Name: "MoveToFolder", Value: "Archive" },
        { Name: "StopProcessingRules", Value: "True" },
      ],
      ExternalAccess: false,
      OrganizationName: "contoso.onmicrosoft.com",
      OriginatingServer: "DM6PR11MB4123 (15.20.8293.000)",
    });
  }

  bgLogon() {
    const user = this.pick(this.users);
    const failed = this.random() < 0.08;
    const fields = this.common(
      failed ? "UserLoginFailed" : "UserLoggedIn", 15,
      "AzureActiveDirectory", user);
    return this.record({
      ...fields,
      ResultStatus: failed ? "Failed" : "Success",
      AzureActiveDirectoryEventType: 1,
      ExtendedProperties: [
        { Name: "ResultStatusDetail", Value: failed ? "Redirect" : "Success" },
        { Name: "UserAgent", Value: this.pick(AGENTS) },
        { Name: "RequestType", Value: "OAuth2:Token" },
      ],
      ActorIpAddress: this.ip(),
      ObjectId: "00000003-0000-0000-c000-000000000000",
      ApplicationId: "d3590ed6-52b3-4102-aeff-aad2292ab01c",
      ErrorNumber: failed ? "50126" : "0",
    });
  }

  bgFile() {
    const user = this.pick(this.users);
    const file = this.pick(FILES);
    const site = "https://contoso.sharepoint.com/sites/Finance";
    return this.record({
      ...this.common(
        this.pick(["FileAccessed", "FileModified", "FileDownloaded"]),
        6, "SharePoint", user),
      ClientIP: this.ip(),
      ObjectId: `${site}/Shared Documents/${file}`,
      UserAgent: this.pick(AGENTS),
      EventSource: "SharePoint",
      ItemType: "File",
      Site: this.guid(),
      SourceFileExtension: file.split(".").pop(),
      SiteUrl: `${site}/`,
      SourceFileName: file,
      SourceRelativeUrl: "Shared Documents",
    });
  }

  /** An SCC alert record; `name` and `operation` vary for near misses. */
  alert(name, severity, operation, extra = {}, hit = null) {
    const user = this.pick(this.users);
    const alertId = extra.AlertId ?? this.guid();
    const data = {
      etype: "User", eid: user, op: "UserRestricted", tdc: "1",
      f3u: user, ts: `${this.time()}.0000000Z`,
      wl: "SecurityComplianceCenter",
    };
    return this.record({
      ...this.common(operation, 40, "SecurityComplianceCenter",
        "SecurityComplianceAlerts"),
      ObjectId: alertId,
      AlertId: alertId,
      AlertType: "System",
      Name: name,
      PolicyId: this.guid(),
      Status: "Active",
      Severity: severity,
      Category: "ThreatManagement",
      Source: "Office 365 Security & Compliance",
      Comments: "New alert",
      Data: JSON.stringify(data),
      AlertLinks: [{
        AlertLinkHref: "https://security.microsoft.com/alerts/" +
          `fa${alertId.slice(0, 18)}`,
      }],
      ...extra,
    }, hit);
  }

  bgOtherAlert() {
    const [name, severity] = this.pick(OTHER_ALERTS);
    return this.alert(name, severity, "AlertTriggered");
  }

  alertTriggered() {
    this.lastAlertId = this.guid();
    return this.alert(ALERT_NAME, "High", "AlertTriggered",
      { AlertId: this.lastAlertId }, { query: false, alertName: true });
  }

  alertEntity() {
    const made = this.alert(ALERT_NAME, "High", "AlertEntityGenerated",
      { AlertId: this.lastAlertId }, { query: false, alertName: true });
    const fields = JSON.parse(made.text);
    fields.EntityType = "User";
    fields.AlertEntityId = JSON.parse(fields.Data).f3u;
    return this.record(fields, made.hit);
  }

  /** KQL's match on a keyword is case-sensitive: not the alert. */
  nearCase() {
    return this.alert(ALERT_NAME.toLowerCase(), "High", "AlertTriggered");
  }

  /** The name in a mail's subject, not in an alert. */
  nearExchange() {
    return this.bgSend(ALERT_NAME);
  }

  /** The rule's action, but the outcome is a failure. */
  nearFailed() {
    const made = this.queryHit();
    const fields = JSON.parse(made.text);
    fields.ResultStatus = "Failed";
    return this.record(fields);
  }

  /** A neighbouring policy of the same family. */
  nearName() {
    return this.alert("User restricted from sharing forms and collecting " +
      "responses", "High", "AlertTriggered");
  }

  /** What the rule's own query was written for: the name as the action. */
  queryHit() {
    const user = this.pick(this.users);
    return this.record({
      ...this.common(ALERT_NAME, 18, "SecurityComplianceCenter", user),
      ClientIP: this.ip(),
      ObjectId: user,
      StartTime: this.time(-1000),
      ClientRequestId: this.guid(),
      CmdletVersion: "1.0",
      EffectiveOrganization: "contoso.onmicrosoft.com",
      UserServicePlan: "FOPE",
      ClientApplication: "EMC",
      Parameters: `-Identity "${user}"`,
    }, { query: true, alertName: false });
  }
}
