using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Warden.McpFixtureServer;

// A small real MCP server for Warden's integration tests. Usage:
//   Warden.McpFixtureServer --transport stdio|http [--port N] [--variant base|rugpull|added|removed|poisoned]
//   (or WARDEN_FIXTURE_VARIANT / WARDEN_FIXTURE_INSTRUCTIONS in the environment)
//                           [--instructions TEXT]
// stdout carries only MCP (stdio) or the single "listening URL" line (http); logs go to stderr.

const string Usage =
    "Usage: Warden.McpFixtureServer --transport stdio|http [--port N] "
    + "[--variant base|rugpull|added|removed|poisoned] [--instructions TEXT]";

string? transport = null;
var port = 0;
// The environment can choose too, so a test can change what a server offers without changing its command line (the
// identity a pin is for): WARDEN_FIXTURE_VARIANT, WARDEN_FIXTURE_INSTRUCTIONS.
var variant = Environment.GetEnvironmentVariable("WARDEN_FIXTURE_VARIANT") is { } fromEnv && FixtureTools.Variants.Contains(fromEnv) ? fromEnv : "base";
var instructions = Environment.GetEnvironmentVariable("WARDEN_FIXTURE_INSTRUCTIONS");
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--transport" when value is "stdio" or "http":
            transport = value;
            i++;
            break;
        case "--port" when int.TryParse(value, out port) && port is >= 0 and <= 65535:
            i++;
            break;
        case "--variant" when value is not null && FixtureTools.Variants.Contains(value):
            variant = value;
            i++;
            break;
        case "--instructions" when value is not null:
            instructions = value;
            i++;
            break;
        default:
            await Console.Error.WriteLineAsync($"Unexpected or invalid argument '{args[i]}'. {Usage}");
            return 2;
    }
}

if (transport is null)
{
    await Console.Error.WriteLineAsync($"--transport is required. {Usage}");
    return 2;
}

void ConfigureServer(McpServerOptions options)
{
    options.ServerInfo = new Implementation { Name = "warden-fixture", Version = "1.0.0" };
    options.ServerInstructions = instructions;
}

void ConfigureLogging(ILoggingBuilder logging)
{
    logging.ClearProviders();
    logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    logging.SetMinimumLevel(LogLevel.Warning);
}

if (transport == "stdio")
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
    ConfigureLogging(builder.Logging);
    builder.Services.AddMcpServer(ConfigureServer)
        .WithStdioServerTransport()
        .WithTools(FixtureTools.ServerTools(variant));
    await builder.Build().RunAsync();
    return 0;
}

var web = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
ConfigureLogging(web.Logging);
web.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
web.Services.AddMcpServer(ConfigureServer)
    .WithHttpTransport()
    .WithTools(FixtureTools.ServerTools(variant));
var app = web.Build();
app.MapMcp("/mcp");
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
    .Addresses.Single();
var boundPort = new Uri(address).Port;
await Console.Out.WriteLineAsync($"listening http://127.0.0.1:{boundPort}/mcp");
await Console.Out.FlushAsync();

// Serve until killed (SIGTERM/SIGINT stop the host) or until stdin closes.
var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
_ = Task.Run(async () =>
{
    using var stdin = Console.OpenStandardInput();
    var buffer = new byte[256];
    while (await stdin.ReadAsync(buffer, lifetime.ApplicationStopping) > 0)
    {
    }

    lifetime.StopApplication();
});
await app.WaitForShutdownAsync();
return 0;
