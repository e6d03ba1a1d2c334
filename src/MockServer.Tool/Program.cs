return await MockServer.Hosting.MockLlmServer.RunAsync(args);
