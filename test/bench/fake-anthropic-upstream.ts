// The fake Anthropic upstream (test/support/fake-anthropic.ts) in a process of its own, as
// fake-upstream.ts does for the OpenAI one: the features benchmark (features.ts) measures
// cross-format streaming against it. Prints one JSON line `{"port":N}` on stdout once it is
// listening, then serves until it is killed. API key: `sk-ant-fake`.
import { startFakeAnthropic } from "../support/fake-anthropic.ts";

const fake = startFakeAnthropic({ apiKey: "sk-ant-fake" });

// The fake keeps every request it saw (tests assert on them); under load that list would grow
// by hundreds of MB and slow the fake down as the run goes on. Nobody reads it here.
setInterval(() => {
  fake.requests.length = 0;
}, 250);

console.log(JSON.stringify({ port: Number(new URL(fake.url).port) }));

const stop = () => {
  fake.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
