using System.Net.Http.Headers;
using System.Text;

namespace Warden.Telemetry.Tests;

/// <summary>The scripted model on its own (no Codex): script order, the SSE shape, OTLP and payload capture.</summary>
public sealed class ScriptedModelTests
{
    [Fact]
    public async Task AnswersTheScriptInOrderThenDone()
    {
        using var model = new ScriptedModel { Steps = [ScriptStep.Call("exec_command", new { cmd = "ls" })] };
        using var http = new HttpClient();

        var first = await Post(http, $"{model.BaseUrl}/responses", """{"input":[]}""", "application/json");
        var second = await Post(http, $"{model.BaseUrl}/responses", """{"input":[1]}""", "application/json");

        first.ShouldContain("event: response.created\ndata: ");
        first.ShouldContain("\"type\":\"function_call\"");
        first.ShouldContain("\"name\":\"exec_command\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"");
        first.ShouldContain("\"call_id\":\"call_0\"");
        first.ShouldContain("event: response.completed");
        second.ShouldContain("\"output_text\",\"text\":\"done\"");
        model.ModelRequests.Select(r => r.Text).ShouldBe(["""{"input":[]}""", """{"input":[1]}"""]);
    }

    [Fact]
    public async Task KeepsOtlpBodiesAsSentAndServesPayloads()
    {
        using var model = new ScriptedModel();
        model.Payloads["/x"] = "echo hi\n";
        using var http = new HttpClient();

        (await Post(http, $"http://127.0.0.1:{model.Port}/v1/logs", "{}", "application/json")).ShouldBe("{}");
        using (var binary = new ByteArrayContent([0x0a, 0x00]))
        {
            binary.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var _ = await http.PostAsync(new Uri($"http://127.0.0.1:{model.Port}/v1/logs"), binary);
        }
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{model.Port}/x"))).ShouldBe("echo hi\n");
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{model.Port}/other"))).ShouldBe("{}");

        model.Otlp.Select(h => (h.ContentType?.Split(';')[0], h.Body.Length)).ShouldBe([("application/json", 2), ("application/x-protobuf", 2)]);
        model.Other.Select(h => h.Path).ShouldBe(["/x", "/other"]);
        OtlpLogs.Read(model.Otlp[1]).ShouldBeEmpty();
    }

    private static async Task<string> Post(HttpClient http, string url, string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await http.PostAsync(new Uri(url), content);
        return await response.Content.ReadAsStringAsync();
    }
}
