using System.Globalization;
using Spectre.Console;

namespace Sieve.Commands.TopicProvisioning;

/// <summary>The tables <c>sieve topics provision</c> prints: the plan (<c>--dry-run</c>) and what was done.</summary>
internal static class TopicTables
{
    /// <summary>
    /// One row per planned topic: partitions, replicas, cleanup policy, retention and segment age; the configs every
    /// topic shares are listed by <see cref="SharedConfigs"/>.
    /// </summary>
    public static Table Plan(IReadOnlyList<TopicPlan> plans)
    {
        Table table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Topic").NoWrap()).AddColumn(new TableColumn("Parts").RightAligned()).AddColumn(new TableColumn("RF").RightAligned())
            .AddColumn(new TableColumn("cleanup").NoWrap()).AddColumn(new TableColumn("retention").RightAligned()).AddColumn(new TableColumn("segment").RightAligned());
        foreach (TopicPlan plan in plans)
        {
            table.AddRow(
                Markup.Escape(plan.Name),
                plan.Partitions.ToString(CultureInfo.InvariantCulture),
                plan.ReplicationFactor.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(plan.Config(TopicConfigNames.CleanupPolicy) ?? ""),
                plan.Config(TopicConfigNames.RetentionMs) ?? "-",
                plan.Config(TopicConfigNames.SegmentMs) ?? "-");
        }

        return table;
    }

    /// <summary><c>every topic: message.timestamp.type=CreateTime min.insync.replicas=2</c>.</summary>
    public static string SharedConfigs(IReadOnlyList<TopicPlan> plans)
    {
        var parts = new List<string>();
        if (plans.Count > 0)
        {
            foreach (KeyValuePair<string, string> config in plans[0].Configs)
            {
                if (config.Key is not TopicConfigNames.CleanupPolicy and not TopicConfigNames.RetentionMs and not TopicConfigNames.SegmentMs
                    && plans.All(p => p.Config(config.Key) == config.Value))
                {
                    parts.Add(config.Key + "=" + config.Value);
                }
            }
        }

        return "retention and segment are retention.ms and segment.ms; every topic: " + string.Join(" ", parts);
    }

    /// <summary>One row per topic: what was done, partitions and replicas on the cluster, and what differs from the plan.</summary>
    public static Table Outcomes(IReadOnlyList<TopicOutcome> outcomes)
    {
        Table table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Topic").NoWrap()).AddColumn("Done").AddColumn(new TableColumn("Parts").RightAligned())
            .AddColumn(new TableColumn("RF").RightAligned()).AddColumn(new TableColumn("cleanup").NoWrap()).AddColumn(new TableColumn("retention").RightAligned())
            .AddColumn("Differs from the plan");
        foreach (TopicOutcome outcome in outcomes)
        {
            string differences = outcome.Differences;
            table.AddRow(
                Markup.Escape(outcome.Plan.Name),
                outcome.Action == TopicAction.Created ? "created" : "configs set",
                outcome.Partitions.ToString(CultureInfo.InvariantCulture),
                outcome.ReplicationFactor.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(outcome.Plan.Config(TopicConfigNames.CleanupPolicy) ?? ""),
                outcome.Plan.Config(TopicConfigNames.RetentionMs) ?? "-",
                differences.Length == 0 ? "" : "[yellow]" + Markup.Escape(differences) + "[/]");
        }

        return table;
    }
}
