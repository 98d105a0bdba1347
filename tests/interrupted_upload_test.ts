import { INTERRUPTED_UPLOAD_CASES } from "./cases/interrupted_upload.ts";
import { testLocally } from "./harness/world_case.ts";

testLocally(INTERRUPTED_UPLOAD_CASES);
