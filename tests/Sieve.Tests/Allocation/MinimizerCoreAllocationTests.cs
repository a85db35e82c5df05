using Sieve.Contracts.Purposes;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Allocation;

namespace Sieve.Tests.Allocation;

public class MinimizerCoreAllocationTests
{
    private const int MeasuredEvents = 10_000;

    [Fact]
    public async Task Steady_state_processing_allocates_nothing_per_event()
    {
        using var world = new SteadyStateCore(vehicles: 400, visitors: 300, events: 6_000);
        await world.WarmUpAsync();
        int plans = world.Core.Plans.Count;
        var sink = new NoOpSink();
        var recorded = new Outcome[MeasuredEvents * plans];

        // A second and third pass with the sink attached: every code path the measured loop takes has run (and
        // been re-jitted) before the counter is read.
        Run(world, sink, new Outcome[MeasuredEvents * plans]);
        Run(world, sink, new Outcome[MeasuredEvents * plans]);
        sink.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int processed = Run(world, sink, recorded);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(MeasuredEvents, processed);
        Assert.Equal(0, allocated);
        AssertOutcomesFollowConsent(world, recorded, sink);
    }

    private static int Run(SteadyStateCore world, NoOpSink sink, Outcome[] recorded)
    {
        TestEvent[] events = world.Events;
        MinimizerCore core = world.Core;
        int plans = core.Plans.Count;
        int processed = 0;
        for (int i = 0; i < MeasuredEvents; i++)
        {
            TestEvent e = events[i % events.Length];
            Span<Outcome> outcomes = recorded.AsSpan(i * plans, plans);
            if (core.Process(e.Kind, e.Message, sink, outcomes, out _, out _) == ProcessStatus.Processed)
            {
                processed++;
            }
        }

        return processed;
    }

    /// <summary>The measured events were really minimized: each outcome is the one the subject's consent calls for.</summary>
    private static void AssertOutcomesFollowConsent(SteadyStateCore world, Outcome[] recorded, NoOpSink sink)
    {
        IReadOnlyList<PurposePlan> plans = world.Core.Plans;
        Assert.Equal(
            new[] { KnownPurposes.Analytics, KnownPurposes.Marketing, KnownPurposes.Personalization, KnownPurposes.Positioning, KnownPurposes.Quality },
            plans.Select(p => p.Name).Order(StringComparer.Ordinal));

        var counts = new int[plans.Count, OutcomeNames.Count];
        int forwardedEverywhere = 0;
        int forwardedTotal = 0;
        for (int i = 0; i < MeasuredEvents; i++)
        {
            TestEvent e = world.Events[i % world.Events.Length];
            TestConsent consent = world.ConsentOf(e.Subject);
            bool everywhere = true;
            for (int p = 0; p < plans.Count; p++)
            {
                Outcome outcome = recorded[(i * plans.Count) + p];
                counts[p, (int)outcome]++;
                // An anonymized purpose's records go to its release stage: held is its forwarding.
                bool passed = outcome is Outcome.Forwarded or Outcome.HeldForRelease;
                everywhere &= passed || !plans[p].Takes(e.Kind);
                forwardedTotal += passed ? 1 : 0;
                Outcome? withheld = plans[p].Takes(e.Kind) ? ExpectedWithholding(consent, plans[p].Name) : Outcome.WithheldNotApplicable;
                if (withheld is { } reason)
                {
                    Assert.Equal(reason, outcome);
                }
                else
                {
                    Assert.True(outcome is Outcome.Forwarded or Outcome.HeldForRelease or Outcome.WithheldNotApplicable, $"event {i}, plan {plans[p].Name}: {outcome}");
                }
            }

            forwardedEverywhere += everywhere ? 1 : 0;
        }

        Assert.True(forwardedEverywhere > 0, "no event was forwarded to every purpose that takes its kind");
        for (int p = 0; p < plans.Count; p++)
        {
            Assert.True(counts[p, (int)Outcome.Forwarded] + counts[p, (int)Outcome.HeldForRelease] > 0, $"nothing forwarded to {plans[p].Name}");
            // This world's minors are visitors, so only purposes that take Wi-Fi meet them.
            Assert.True(counts[p, (int)Outcome.WithheldMinor] > 0 || !plans[p].TakesWifi, $"no minor withheld from {plans[p].Name}");
        }

        int personalization = IndexOf(plans, KnownPurposes.Personalization);
        Assert.True(counts[personalization, (int)Outcome.WithheldWithdrawn] > 0);
        Assert.True(counts[personalization, (int)Outcome.WithheldNoConsent] > 0);
        Assert.Equal(forwardedTotal, sink.Records);
        Assert.True(sink.Bytes > forwardedTotal * 32L);
    }

    private static Outcome? ExpectedWithholding(TestConsent consent, string purpose)
    {
        if (consent == TestConsent.Minor)
        {
            return Outcome.WithheldMinor;
        }

        return purpose switch
        {
            KnownPurposes.Positioning when consent == TestConsent.None => Outcome.WithheldNoConsent,
            KnownPurposes.Personalization when consent is TestConsent.None or TestConsent.PositioningOnly => Outcome.WithheldNoConsent,
            KnownPurposes.Personalization when consent == TestConsent.WithdrewPersonalization => Outcome.WithheldWithdrawn,
            KnownPurposes.Marketing when consent is not TestConsent.All => Outcome.WithheldNoConsent,
            _ => null,
        };
    }

    private static int IndexOf(IReadOnlyList<PurposePlan> plans, string name)
    {
        for (int i = 0; i < plans.Count; i++)
        {
            if (plans[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no plan " + name);
    }

    /// <summary>Keeps nothing; counts records and bytes so the test can check they were produced.</summary>
    private sealed class NoOpSink : IMinimizedRecordSink
    {
        public int Records { get; private set; }

        public long Bytes { get; private set; }

        public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            Records++;
            Bytes += key.Length + value.Length;
        }

        public void Reset()
        {
            Records = 0;
            Bytes = 0;
        }
    }
}
