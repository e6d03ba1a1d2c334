using Conformance.Cli;

return await CliApp.RunAsync(args, CliEnvironment.Process, CancellationToken.None);
