// Starts GOV.UK Frontend's enhancements; every page also works without them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
