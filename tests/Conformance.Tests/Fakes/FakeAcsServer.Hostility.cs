using System.Text;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>Whole-endpoint misbehaviour (<see cref="Hostility"/>): hangs, resets, garbage, endless streams, huge bodies.</summary>
public sealed partial class FakeAcsServer
{
    private async Task<bool> HostileAsync(HttpContext ctx)
    {
        var abort = ctx.RequestAborted;
        switch (_options.Hostility)
        {
            case Hostility.Hang:
                _hangs.Release(); // the request is held: a test with a fake clock may now time it out
                await Task.Delay(Timeout.Infinite, abort).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            case Hostility.Reset:
                ctx.Abort();
                return true;
            case Hostility.Garbage:
            {
                ctx.Response.ContentType = "text/event-stream";
                var bytes = new byte[4096];
                new Random(1).NextBytes(bytes);
                await ctx.Response.Body.WriteAsync(bytes, abort);
                return true;
            }

            case Hostility.EndlessStream:
                ctx.Response.ContentType = "text/event-stream";
                try
                {
                    var frame = Encoding.UTF8.GetBytes("data: {\"id\":\"cmpl-0000000000000000\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" on\",\"finish_reason\":null}]}\n\n");
                    while (!abort.IsCancellationRequested)
                    {
                        await ctx.Response.Body.WriteAsync(frame, abort);
                        await ctx.Response.Body.FlushAsync(abort);

                        // Writes to a fast reader complete synchronously; without a yield each endless stream pins a
                        // thread-pool thread, and on a cold 2-core pool the suite's own requests (same process) starve.
                        await Task.Yield();
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // The client hung up, which is what a bounded client must do.
                }

                return true;
            case Hostility.HugeBody:
                ctx.Response.ContentType = "application/json";
                try
                {
                    var block = Encoding.UTF8.GetBytes(new string(' ', 64 * 1024));
                    await ctx.Response.Body.WriteAsync("{\"padding\":\""u8.ToArray(), abort);
                    for (var i = 0; i < 256 && !abort.IsCancellationRequested; i++)
                    {
                        await ctx.Response.Body.WriteAsync(block, abort);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // Expected once the client stops reading at its cap.
                }

                return true;
            default:
                return false;
        }
    }
}
