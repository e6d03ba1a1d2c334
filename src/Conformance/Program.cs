// Placeholder until the conformance suite lands (issue 3).
return 0;
