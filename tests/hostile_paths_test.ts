import { HOSTILE_PATH_CASES } from "./cases/hostile_paths.ts";
import { testLocally } from "./harness/world_case.ts";

testLocally(HOSTILE_PATH_CASES);
