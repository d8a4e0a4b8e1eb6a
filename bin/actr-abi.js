#!/usr/bin/env node
// The `actr-abi` command. This file is committed with its execute bit and only
// loads the compiled command, so rebuilding dist/ never takes the bit away.
import "../dist/src/cli/main.js";
