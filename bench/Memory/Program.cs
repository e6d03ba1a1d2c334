using System.Diagnostics;
using System.Globalization;
using System.Text;
using MockServer.Hosting;

// One variant per process (a GC's history is per process): `Bench.Memory <journal-capacity> <requests> <warm-up requests>`.
// Prints one line: BENCH_MEMORY {json}. bench/memory.sh runs the variants alternately and reports medians and ratios.
var capacity = int.Parse(args[0], CultureInfo.InvariantCulture);
var requests = int.Parse(args[1], CultureInfo.InvariantCulture);
var warmup = int.Parse(args[2], CultureInfo.InvariantCulture);
const int Workers = 16;
const string Body = """{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":16}""";

await using var server = await MockLlmServer.StartAsync(new MockServerOptions { JournalCapacity = capacity });
using var http = new HttpClient();
var url = new Uri(server.BaseUrl + "/completions");

await RunAsync(warmup);
GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

// Every ephemeral collection's promoted bytes, sampled while the load runs (GetGCMemoryInfo keeps only the latest).
var promoted = new List<long>();
var seen = GC.GetGCMemoryInfo(GCKind.Ephemeral).Index;
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
    while (await timer.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false))
    {
        var info = GC.GetGCMemoryInfo(GCKind.Ephemeral);
        if (info.Index != seen && info.Generation == 0)
        {
            seen = info.Index;
            lock (promoted)
            {
                promoted.Add(info.PromotedBytes);
            }
        }
    }
});

var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
var allocated = GC.GetTotalAllocatedBytes(precise: true);
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
await RunAsync(requests);
cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
(gen0, gen1, gen2) = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
await sampling.CancelAsync();
try
{
    await sampler;
}
catch (OperationCanceledException)
{
}

long[] sorted;
lock (promoted)
{
    sorted = [.. promoted.Order()];
}

var median = sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
var peak = Process.GetCurrentProcess().PeakWorkingSet64;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BENCH_MEMORY {{\"journal\":{capacity},\"requests\":{requests},\"allocated_per_request\":{allocated / requests},\"gen0\":{gen0},\"gen1\":{gen1},\"gen2\":{gen2},\"promoted_median_per_gen0\":{median},\"gen0_sampled\":{sorted.Length},\"cpu_us_per_request\":{cpu.TotalMicroseconds / requests:F1},\"peak_working_set\":{peak}}}"));

async Task RunAsync(int count)
{
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            using var content = new StringContent(Body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(url, content).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if ((int)response.StatusCode != 200)
            {
                throw new InvalidOperationException($"status {(int)response.StatusCode}");
            }
        }
    })).ConfigureAwait(false);
}
