// Compiled by types.test.mjs with `tsc --noEmit --strict`: uses the API
// as a TypeScript user would, so the shipped types must allow exactly
// this. Never run.

import init, {
  compile, evaluate, ruleInfo, scan, Scanner, test,
  type Evaluation, type Hit, type Options, type RuleInfo, type ScanReport,
  type User,
} from "../pkg/m365_restricted_sender.js";

export async function use(bytes: Uint8Array): Promise<string[]> {
  await init();
  const info: RuleInfo = ruleInfo();
  const options: Options = { strict: true, query: null, index: "logs-o365" };
  const one: Evaluation = evaluate({ Operation: "AlertTriggered" }, options);
  const hit: boolean = test("{}") && one.hit && one.clauses[0].passed;
  const query = compile(info.alertNameQuery);
  const matched: boolean = query.matches({ rule: { name: info.name } });
  query.free();
  const report: ScanReport = scan([{ name: "a.ndjson", data: bytes }]);
  const scanner = new Scanner();
  scanner.file("b.csv");
  scanner.push(bytes);
  const streamed: ScanReport = scanner.finish();
  scanner.free();
  // @ts-expect-error a number is not a record
  evaluate(5);
  // @ts-expect-error an option bag has no such key
  scan("", { strcit: true });
  // @ts-expect-error `strict` is a boolean
  new Scanner({ strict: "yes" });
  const first: Hit | undefined = report.hits[0];
  const users: User[] = streamed.users;
  return [
    String(hit && matched), first?.user ?? "", String(first?.line),
    users.map((user) => user.user).join(), String(report.errorCount),
    info.threat[0].technique[0].reference, one.timestamp ?? "",
  ];
}
