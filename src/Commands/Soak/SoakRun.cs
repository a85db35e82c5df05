using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Sieve.Commands.Bench;
using Sieve.Commands.Keys;
using Sieve.Commands.Load;
using Sieve.Commands.Policy;
using Sieve.Commands.TopicProvisioning;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Core.Lake;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Core.Retention;
using Sieve.Embedded;
using Sieve.Simulation;

namespace Sieve.Commands.Soak;

/// <summary>
/// One soak: Kafka (the mock cluster, in this process) and redis-server; Ingest, the Minimizer and the Sink as child
/// processes; the load generator's units and gateways feeding Ingest; a random service SIGKILLed and restarted every
/// so often; then a drain and the checks, all from outside the services.
/// </summary>
internal sealed class SoakRun(SoakOptions options, Action<string> progress)
{
    private const string MerakiNetwork = "N_SOAK_0001";
    private const string MerakiSecret = "soak-meraki-secret-0001";
    private const string PortalGateway = "gw-soak-01";
    private const string PortalToken = "soak-portal-token-0001";
    private const string Outlet = "outlet-soak-01";

    public async Task<SoakResult> RunAsync(CancellationToken cancellationToken)
    {
        string root = options.Directory ?? System.IO.Directory.CreateTempSubdirectory("sieve-soak-").FullName;
        string logs = System.IO.Directory.CreateDirectory(Path.Combine(root, "logs")).FullName;
        string lake = Path.Combine(root, "lake");
        var dlls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string service in ServiceBinaries.Services)
        {
            dlls[service] = ServiceBinaries.Find(service, options.Services);
        }

        CompiledPolicy policy = PolicyFiles.Load(null);
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(policy, new RetentionPolicy(policy), options.Partitions, 1);
        var purposeTopics = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<string>();
        foreach (PurposePlan purpose in policy.Purposes)
        {
            purposeTopics[purpose.Topic] = purpose.Name;
            if (purpose.Anonymization is { } anonymization)
            {
                pending.Add(anonymization.PendingTopic);
            }
        }

        var topics = new SoakTopics(Topics.TelematicsRaw, Topics.WifiRaw, [.. purposeTopics.Keys], pending, Topics.Audit, Topics.Quarantine);
        var partitions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (TopicPlan plan in plans)
        {
            partitions[plan.Name] = plan.Partitions;
        }

        using BenchCluster cluster = BenchCluster.Open(null);
        await cluster.CreateTopicsAsync([.. plans.Select(static p => (p.Name, p.Partitions))]).ConfigureAwait(false);
        using RedisServerProcess redis = await StartRedisAsync(cancellationToken).ConfigureAwait(false);
        string keys = Path.Combine(root, "keys.json");
        KeysFileWriter.Write(keys, KeyIds.Generate("soak-1"), overwrite: true);

        // The quality purpose's escrow: the Minimizer seals VINs under a recall key of the soak's own.
        string recallKey = Path.Combine(root, "recall-key.json");
        OwnerOnlyFile.Write(recallKey, "--recall-key", Sieve.Core.Recall.RecallKeyFile.Write(Sieve.Core.Recall.RecallKey.Create("soak-recall")), overwrite: true);

        int tcpPort = Sieve.Embedded.LoopbackPorts.Free();
        int httpPort = Sieve.Embedded.LoopbackPorts.Free();
        var gateways = new GatewayTargets
        {
            BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{httpPort}/")),
            MerakiSecret = MerakiSecret,
            MerakiNetworkId = MerakiNetwork,
            PortalGatewayId = PortalGateway,
            PortalOutletId = Outlet,
            PortalToken = PortalToken,
        };
        var generator = new LoadGenerator(new LoadOptions
        {
            TcpHost = "127.0.0.1",
            TcpPort = tcpPort,
            Http = gateways,
            Vehicles = options.Vehicles,
            Visitors = options.Visitors,
            Duration = options.Duration,
            RecordsPerPacket = 5,
            PacketInterval = TimeSpan.FromSeconds(5),
            GatewayInterval = TimeSpan.FromSeconds(1),
            Reconnect = true,
            Seed = options.Seed,
        });
        RawIdentifierScanner scanner = Scanner(generator);
        var ledger = new SoakLedger(topics, scanner);
        generator.Observer = ledger;
        await SeedConsentAsync(cluster.BootstrapServers, generator).ConfigureAwait(false);

        var services = new List<SoakService>
        {
            new("Ingest", dlls["Ingest"], IngestArguments(cluster.BootstrapServers, keys, tcpPort, httpPort), logs, Sieve.Embedded.LoopbackPorts.Free()),
            new("Minimizer", dlls["Minimizer"], MinimizerArguments(cluster.BootstrapServers, redis.Configuration, keys, recallKey), logs, Sieve.Embedded.LoopbackPorts.Free()),
            new("Sink", dlls["Sink"], SinkArguments(cluster.BootstrapServers, redis.Configuration, keys, lake), logs, Sieve.Embedded.LoopbackPorts.Free()),
        };
        var kills = new List<SoakKill>();
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient();
        // A second SIGTERM (or SIGKILL of the parent) ends this process without unwinding: the children and redis-server must not outlive it.
        EventHandler onExit = (_, _) =>
        {
            foreach (SoakService service in services)
            {
                service.Dispose();
            }

            redis.Dispose();
        };
        AppDomain.CurrentDomain.ProcessExit += onExit;
        try
        {
            foreach (SoakService service in services)
            {
                service.Start();
            }

            using var tail = new SoakTail(cluster.BootstrapServers, topics.Tailed.Select(t => (t, partitions[t])), ledger);
            progress(string.Create(CultureInfo.InvariantCulture,
                $"soak: {options.Duration.TotalMinutes:F1} min, {options.Vehicles} vehicles, {options.Visitors} visitors, a kill every {options.KillMin.TotalSeconds:F0}-{options.KillMax.TotalSeconds:F0} s; work folder {root}"));
            Task load = generator.RunAsync(cancellationToken);
            var random = new Random(options.Seed);
            DateTime nextKill = DateTime.UtcNow + Between(random, options.KillMin, options.KillMax);
            while (!load.IsCompleted)
            {
                await Task.WhenAny(load, Task.Delay(500, CancellationToken.None)).ConfigureAwait(false);
                Supervise(services);
                if (DateTime.UtcNow < nextKill || load.IsCompleted)
                {
                    continue;
                }

                SoakService victim = services[random.Next(services.Count)];
                await ScanMetricsAsync(victim, http, ledger.Leaks, scanner).ConfigureAwait(false);
                TimeSpan uptime = victim.Uptime;
                victim.Kill();
                victim.Start();
                kills.Add(new SoakKill(clock.Elapsed, victim.Name, uptime));
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"{clock.Elapsed:hh\\:mm\\:ss}  kill {kills.Count,3}: {victim.Name,-9} (up {uptime.TotalSeconds,3:F0} s)  acked {generator.Stats.RecordsAcked,9:N0}  wifi {generator.Stats.HttpRecordsAccepted,7:N0}"));
                nextKill = DateTime.UtcNow + Between(random, options.KillMin, options.KillMax);
            }

            await load.ConfigureAwait(false);
            TimeSpan loadTime = clock.Elapsed;
            progress("load done; draining (every service running, nothing killed)");
            Dictionary<(string Topic, int Partition), long> rawEnds = ledger.RawEnds(cluster.HighWatermarks(
                [(topics.TelematicsRaw, partitions[topics.TelematicsRaw]), (topics.WifiRaw, partitions[topics.WifiRaw])]));
            bool drained = await DrainAsync(services, tail, ledger, rawEnds, lake, purposeTopics, cancellationToken).ConfigureAwait(false);
            TimeSpan drainTime = clock.Elapsed - loadTime;
            foreach (SoakService service in services)
            {
                await ScanMetricsAsync(service, http, ledger.Leaks, scanner).ConfigureAwait(false);
            }

            foreach (SoakService service in services)
            {
                await service.StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }

            Dictionary<(string Topic, int Partition, long Offset), int> lakeRows = await ReadLakeAsync(lake, purposeTopics, ledger.Leaks, scanner, cancellationToken).ConfigureAwait(false);
            foreach (SoakService service in services)
            {
                ScanLogs(service, ledger.Leaks, scanner);
            }

            return new SoakResult
            {
                Options = options,
                Directory = root,
                LoadTime = loadTime,
                DrainTime = drainTime,
                Drained = drained,
                Kills = kills,
                Services = [.. services.Select(static s => (s.Name, s.Starts, s.UnexpectedExits.ToArray()))],
                Load = generator.Stats,
                Vehicles = generator.Vehicles.Count,
                Visitors = generator.Visitors.Count,
                IdentifiersLookedFor = scanner.IdentifierCount,
                Findings = ledger.Check(rawEnds, lakeRows),
                Leaks = ledger.Leaks,
                RecordsByTopic = ledger.RecordsByTopic(),
            };
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            foreach (SoakService service in services)
            {
                service.Dispose();
            }
        }
    }

    // A service that exited by itself is started again, as an orchestrator would; the exit is reported.
    private void Supervise(List<SoakService> services)
    {
        foreach (SoakService service in services)
        {
            if (service.RestartIfExited())
            {
                progress(service.Name + " exited by itself (code " + service.UnexpectedExits[^1].ToString(CultureInfo.InvariantCulture) + "); started again");
            }
        }
    }

    private async Task<bool> DrainAsync(List<SoakService> services, SoakTail tail, SoakLedger ledger, Dictionary<(string Topic, int Partition), long> rawEnds,
        string lake, Dictionary<string, string> purposeTopics, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + options.DrainLimit;
        int clean = 0;
        while (DateTime.UtcNow < deadline)
        {
            Supervise(services);
            await tail.WaitCaughtUpAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            long unaudited = ledger.Unaudited(rawEnds);
            long undecided = ledger.Undecided();
            long notLanded = ledger.NotLanded(LandedRanges(lake, purposeTopics));
            // Twice in a row, so that outputs of the last decisions are read and landed too.
            clean = unaudited == 0 && undecided == 0 && notLanded == 0 ? clean + 1 : 0;
            if (clean >= 2)
            {
                return true;
            }

            await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private static Dictionary<(string Topic, int Partition), List<(long First, long Last)>> LandedRanges(string lake, Dictionary<string, string> purposeTopics)
    {
        var ranges = new Dictionary<(string, int), List<(long, long)>>();
        foreach (KeyValuePair<string, string> purpose in purposeTopics)
        {
            foreach (string file in LakeLayout.DataFiles(lake, purpose.Value))
            {
                if (LakeFileName.TryParse(Path.GetFileName(file), out LakeFileName name))
                {
                    (string, int) key = (name.Topic, name.Partition);
                    if (!ranges.TryGetValue(key, out List<(long, long)>? list))
                    {
                        ranges[key] = list = [];
                    }

                    list.Add((name.FirstOffset, name.LastOffset));
                }
            }
        }

        return ranges;
    }

    private static async Task<Dictionary<(string Topic, int Partition, long Offset), int>> ReadLakeAsync(string lake, Dictionary<string, string> purposeTopics,
        LeakCounts leaks, RawIdentifierScanner scanner, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string, int, long), int>();
        foreach (KeyValuePair<string, string> purpose in purposeTopics)
        {
            foreach (string file in LakeLayout.DataFiles(lake, purpose.Value))
            {
                var (_, fileRows, metadata) = await ParquetFiles.ReadAllAsync(file, cancellationToken).ConfigureAwait(false);
                foreach (KeyValuePair<string, string> entry in metadata)
                {
                    leaks.Scan("lake file metadata", scanner, entry.Key + "=" + entry.Value);
                }

                foreach (Dictionary<string, object> row in fileRows)
                {
                    var key = ((string)row[LakeTable.TopicColumn], Convert.ToInt32(row[LakeTable.PartitionColumn], CultureInfo.InvariantCulture),
                        Convert.ToInt64(row[LakeTable.OffsetColumn], CultureInfo.InvariantCulture));
                    rows[key] = rows.GetValueOrDefault(key) + 1;
                    leaks.Scan("lake rows", scanner, RowText(row));
                }
            }
        }

        return rows;
    }

    // Every value of a row as text, list columns (visited domains, trouble codes) item by item.
    private static string RowText(Dictionary<string, object> row)
    {
        var text = new System.Text.StringBuilder();
        foreach (object value in row.Values)
        {
            if (value is byte[] bytes)
            {
                text.Append(System.Text.Encoding.UTF8.GetString(bytes)).Append('\u001f');
            }
            else if (value is System.Collections.IEnumerable items and not string)
            {
                foreach (object? item in items)
                {
                    text.Append(Convert.ToString(item, CultureInfo.InvariantCulture)).Append('\u001f');
                }
            }
            else
            {
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\u001f');
            }
        }

        return text.ToString();
    }

    private static void ScanLogs(SoakService service, LeakCounts leaks, RawIdentifierScanner scanner)
    {
        foreach (string file in service.LogFiles)
        {
            foreach (string line in File.ReadLines(file))
            {
                leaks.Scan("log lines", scanner, line);
            }
        }
    }

    private static async Task ScanMetricsAsync(SoakService service, HttpClient http, LeakCounts leaks, RawIdentifierScanner scanner)
    {
        if (await service.ScrapeAsync(http).ConfigureAwait(false) is { } page)
        {
            leaks.Scan("metrics pages", scanner, page);
        }
    }

    private static RawIdentifierScanner Scanner(LoadGenerator generator)
    {
        var identifiers = new List<(IdentifierKind, string)>();
        foreach (SimulatedVehicle vehicle in generator.Vehicles)
        {
            identifiers.Add((IdentifierKind.Imei, vehicle.Imei));
            identifiers.Add((IdentifierKind.Vin, vehicle.Vin));
        }

        foreach (WifiSighting visitor in generator.Visitors)
        {
            identifiers.Add((IdentifierKind.Mac, visitor.ClientMac));
            if (visitor.PhoneNumber is { } phone)
            {
                identifiers.Add((IdentifierKind.Phone, phone));
            }
        }

        return new RawIdentifierScanner(identifiers);
    }

    // Consent as the consent service would publish it: a third of the vehicles grant every purpose, a third
    // positioning only, a third nothing (one in twenty is a minor); half the visitors grant everything.
    private static async Task SeedConsentAsync(string bootstrapServers, LoadGenerator generator)
    {
        string[] all = ["positioning", "personalization", "after-sales", "marketing", "fraud-prevention"];
        long effective = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var changes = new List<ConsentChangeData>();
        for (int i = 0; i < generator.Vehicles.Count; i++)
        {
            string vin = generator.Vehicles[i].Vin;
            string[] granted = (i % 3) switch { 0 => all, 1 => ["positioning"], _ => [] };
            foreach (string purpose in granted)
            {
                changes.Add(new ConsentChangeData { SubjectType = SubjectType.Vin, SubjectId = vin, Purpose = purpose, Granted = true, EffectiveTime = effective, Minor = i % 20 == 7 });
            }
        }

        for (int i = 0; i < generator.Visitors.Count; i += 2)
        {
            WifiSighting visitor = generator.Visitors[i];
            foreach (string purpose in all)
            {
                changes.Add(new ConsentChangeData { SubjectType = SubjectType.Mac, SubjectId = visitor.ClientMac, Purpose = purpose, Granted = true, EffectiveTime = effective });
                if (visitor.PhoneNumber is { } phone)
                {
                    changes.Add(new ConsentChangeData { SubjectType = SubjectType.Phone, SubjectId = phone, Purpose = purpose, Granted = true, EffectiveTime = effective });
                }
            }
        }

        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, EnableIdempotence = true }).Build();
        foreach (ConsentChangeData change in changes)
        {
            producer.Produce(Topics.ConsentChanges, new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static async Task<RedisServerProcess> StartRedisAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RedisServerProcess.StartNewAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new CliException(ExitCodes.Failure, RedisServerProcess.NotFoundMessage);
        }
    }

    private static List<string> IngestArguments(string bootstrap, string keys, int tcpPort, int httpPort) =>
    [
        "--Kafka:BootstrapServers=" + bootstrap,
        "--Kafka:DeliveryTimeoutMs=20000",
        "--Keys:Path=" + keys,
        "--Ingest:Http:Urls=http://127.0.0.1:" + httpPort.ToString(CultureInfo.InvariantCulture),
        "--Ingest:Teltonika:BindAddress=127.0.0.1",
        "--Ingest:Teltonika:Port=" + tcpPort.ToString(CultureInfo.InvariantCulture),

        // The simulated fleet is in no device registry.
        "--Devices:AcceptAnyValidImei=true",
        "--Ingest:Meraki:Validator=soak-validator-0001",
        "--Ingest:Meraki:Secret=" + MerakiSecret,
        "--Ingest:Meraki:Networks:" + MerakiNetwork + ":OutletId=" + Outlet,
        "--Ingest:Meraki:Networks:" + MerakiNetwork + ":GatewayId=gw-soak-meraki",
        "--Ingest:Portal:Gateways:" + PortalGateway + ":Token=" + PortalToken,
        "--Ingest:Portal:Gateways:" + PortalGateway + ":OutletId=" + Outlet,
        "--Ingest:RateLimit:TokenLimit=1000000",
        "--Ingest:RateLimit:TokensPerPeriod=1000000",
    ];

    private List<string> MinimizerArguments(string bootstrap, string redis, string keys, string recallKey) =>
    [
        "--Kafka:BootstrapServers=" + bootstrap,
        "--Redis:Configuration=" + redis,
        "--Keys:Path=" + keys,
        "--Recall:KeyPath=" + recallKey,
        "--Minimizer:InstanceId=soak-minimizer",
        "--Minimizer:BatchMaxWaitMs=200",
        .. RejoinQuickly(),
    ];

    private List<string> SinkArguments(string bootstrap, string redis, string keys, string lake) =>
    [
        "--Kafka:BootstrapServers=" + bootstrap,
        "--Redis:Configuration=" + redis,
        "--Keys:Path=" + keys,
        "--Sink:Root=" + lake,
        "--Sink:InstanceId=soak-sink",
        "--Sink:RollSeconds=" + options.SinkRollSeconds.ToString(CultureInfo.InvariantCulture),
        .. RejoinQuickly(),
    ];

    // A member killed mid-generation holds its partitions until the group gives up on it: at most this long.
    private static string[] RejoinQuickly() =>
    [
        "--Kafka:Properties:session.timeout.ms=10000",
        "--Kafka:Properties:max.poll.interval.ms=15000",
    ];

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromMilliseconds(random.NextDouble() * (max - min).TotalMilliseconds);
}

/// <summary>One kill: when, which service, and how long it had been up.</summary>
internal readonly record struct SoakKill(TimeSpan At, string Service, TimeSpan Uptime);
