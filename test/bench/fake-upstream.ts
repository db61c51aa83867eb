// The fake OpenAI upstream in a process of its own, so the benchmark's load generator, the
// gateway and the upstream each get their own event loop (as in production). Prints one JSON
// line `{"port":N}` on stdout once it is listening, then serves until it is killed.
import { startFakeOpenAi } from "../support/fake-openai.ts";

const fake = startFakeOpenAi({ apiKey: "sk-fake-upstream" });

// The fake keeps every request it saw (tests assert on them). Under tens of thousands of
// requests per second that list would grow by hundreds of MB and GC would slow the fake
// down as the run goes on, skewing later runs; nobody reads it here, so keep it empty.
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
