/** examples/processing_demo.ts (the former `deno task start`) runs its three jobs and exits 0. */
import assert from "node:assert/strict";

Deno.test("processing demo: success, retries and a scheduled job, then a clean exit", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "examples/processing_demo.ts"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /resize_image +50%/);
  assert.match(text, /charge_card +failed: payment gateway timed out \(attempt 2\)/);
  assert.match(text, /resize_image +Succeeded attempts=1/);
  assert.match(text, /charge_card +Succeeded attempts=3/);
  assert.match(text, /send_reminder +Succeeded attempts=1 +history: Scheduled → Enqueued/);
});
