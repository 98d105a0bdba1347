import { ROUND_TRIP_CASES } from "./cases/round_trip.ts";
import { testLocally } from "./harness/world_case.ts";

testLocally(ROUND_TRIP_CASES);
