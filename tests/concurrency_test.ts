import { CONCURRENCY_CASES } from "./cases/concurrency.ts";
import { testLocally } from "./harness/world_case.ts";

testLocally(CONCURRENCY_CASES);
