using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Core.Privacy;
using Sieve.Simulation;
using Sieve.Simulation.Mobility;

namespace Sieve.Tests.Mobility;

public sealed class MobilitySimulatorTests
{
    private const int Seed = 2026;
    private static readonly MobilitySimulator City = new(CityProfile.Dense(vehicles: 500), Seed);

    private static double LocalHour(MobilitySimulator city, long timeMillis) => (timeMillis - city.Profile.DayStartUnixMillis) / 3_600_000.0;

    private static double Metres(double lat1, double lon1, double lat2, double lon2) => 1000 * GeohashCells.DistanceKm(lat1, lon1, lat2, lon2);

    [Fact]
    public void The_same_seed_gives_the_same_day_and_another_seed_another()
    {
        var again = new MobilitySimulator(CityProfile.Dense(vehicles: 500), Seed);
        var other = new MobilitySimulator(CityProfile.Dense(vehicles: 500), Seed + 1);
        for (int v = 0; v < 50; v++)
        {
            Assert.Equal(City.Vehicle(v), again.Vehicle(v));
            Assert.Equal(City.Samples(v).ToArray(), again.Samples(v).ToArray());
        }

        int differing = 0;
        for (int v = 0; v < 50; v++)
        {
            if (City.Vehicle(v).HomeLatitude != other.Vehicle(v).HomeLatitude)
            {
                differing++;
            }
        }

        Assert.Equal(50, differing);
    }

    [Fact]
    public void Each_vehicle_reports_in_time_order_with_a_growing_odometer_inside_the_day()
    {
        long start = City.Profile.DayStartUnixMillis;
        for (int v = 0; v < City.VehicleCount; v++)
        {
            MobilitySample previous = default;
            bool first = true;
            foreach (MobilitySample s in City.Samples(v))
            {
                Assert.Equal(v, s.Vehicle);
                Assert.InRange(s.TimeMillis, start, start + 86_400_000 - 1);
                if (!first)
                {
                    Assert.True(s.TimeMillis > previous.TimeMillis, "records come in strictly increasing time");
                    Assert.True(s.OdometerKm >= previous.OdometerKm, "the odometer never goes back");
                    Assert.True(s.FuelPct <= previous.FuelPct, "fuel only falls within a day");
                }

                Assert.Equal(s.Moving, s.IgnitionOn);
                Assert.Equal(s.Moving, s.Place == PlaceKind.Road);
                Assert.Equal(s.Moving, s.Trip >= 0);
                Assert.Equal(s.Moving, s.Stop < 0);
                (previous, first) = (s, false);
            }

            Assert.False(first, "every vehicle reports during the day");
        }
    }

    [Fact]
    public void Commuters_park_at_home_overnight_and_at_work_by_day()
    {
        int commuters = 0, nonCommuters = 0;
        for (int v = 0; v < City.VehicleCount; v++)
        {
            VehicleProfile profile = City.Vehicle(v);
            bool atWork = false;
            foreach (MobilitySample s in City.Samples(v))
            {
                double hour = LocalHour(City, s.TimeMillis);
                if (hour < 5)
                {
                    Assert.False(s.Moving, "nobody drives before 05:00");
                    Assert.Equal(PlaceKind.Home, s.Place);
                    Assert.True(Metres(s.Latitude, s.Longitude, profile.HomeLatitude, profile.HomeLongitude) < 50, "parked overnight at home");
                }

                if (profile.Work is { } work && hour is >= 10 and < 11.75 && !s.Moving)
                {
                    Assert.Equal(PlaceKind.Work, s.Place);
                    Assert.True(Metres(s.Latitude, s.Longitude, work.Latitude, work.Longitude) < 50, "parked at work in the late morning");
                    atWork = true;
                }
            }

            if (profile.Commuter)
            {
                commuters++;
                Assert.True(atWork, "a commuter reports from work in the late morning");
            }
            else
            {
                nonCommuters++;
            }
        }

        Assert.InRange(commuters, 350, 450); // 80 % of 500
        Assert.True(nonCommuters > 0);
    }

    [Fact]
    public void Units_sample_every_few_seconds_while_moving_and_hourly_while_parked()
    {
        var city = new MobilitySimulator(CityProfile.Dense(vehicles: 200) with { MovingIntervalSeconds = 5, ParkedIntervalSeconds = 1800 }, Seed);
        long moving = 0, parked = 0, movingPairs = 0, parkedPairs = 0;
        double speedSum = 0;
        for (int v = 0; v < city.VehicleCount; v++)
        {
            MobilitySample previous = default;
            bool first = true;
            foreach (MobilitySample s in city.Samples(v))
            {
                if (s.Moving)
                {
                    moving++;
                    speedSum += s.SpeedKph;
                    Assert.InRange(s.SpeedKph, 0, 80);
                }
                else
                {
                    parked++;
                }

                if (!first && s.Moving && previous.Moving && s.Trip == previous.Trip)
                {
                    Assert.Equal(5_000, s.TimeMillis - previous.TimeMillis);
                    movingPairs++;
                }

                if (!first && !s.Moving && !previous.Moving && s.Stop == previous.Stop)
                {
                    Assert.Equal(1_800_000, s.TimeMillis - previous.TimeMillis);
                    parkedPairs++;
                }

                (previous, first) = (s, false);
            }
        }

        Assert.True(movingPairs > 10_000 && parkedPairs > 1_000, $"{movingPairs} moving and {parkedPairs} parked intervals");
        double meanSpeed = speedSum / moving;
        Assert.InRange(meanSpeed, 20, 60);

        // Driving an hour or two a day: most records are moving ones, yet the vehicle reports all day.
        Assert.True(moving > parked, "most records are recorded while moving");
        Assert.InRange(parked / (double)city.VehicleCount, 44, 52); // every half hour for the ~22 hours a vehicle stands
    }

    [Fact]
    public void Samples_in_time_order_merge_every_vehicle()
    {
        var city = new MobilitySimulator(CityProfile.SparseMetropolis(vehicles: 100), Seed);
        long count = 0, last = long.MinValue;
        foreach (MobilitySample s in city.SamplesInTimeOrder())
        {
            Assert.True(s.TimeMillis >= last);
            last = s.TimeMillis;
            count++;
        }

        Assert.Equal(city.AllSamples().LongCount(), count);
    }

    [Fact]
    public void A_vehicle_of_a_large_fleet_is_generated_on_its_own()
    {
        var city = new MobilitySimulator(CityProfile.Dense(vehicles: 100_000), Seed);
        MobilitySample[] last = city.Samples(99_999).ToArray();
        Assert.NotEmpty(last);
        Assert.All(last, s => Assert.Equal(99_999, s.Vehicle));
        Assert.Throws<ArgumentOutOfRangeException>(() => city.Samples(100_000));
    }

    [Fact]
    public void The_sparse_metropolis_spreads_wider_than_the_dense_city()
    {
        var sparse = new MobilitySimulator(CityProfile.SparseMetropolis(vehicles: 500), Seed);
        Assert.True(Spread(sparse) > 2 * Spread(City), "homes of the metropolis are spread more than twice as far");

        static double Spread(MobilitySimulator city)
        {
            double sum = 0;
            for (int v = 0; v < city.VehicleCount; v++)
            {
                VehicleProfile p = city.Vehicle(v);
                sum += GeohashCells.DistanceKm(p.HomeLatitude, p.HomeLongitude, city.Profile.CentreLatitude, city.Profile.CentreLongitude);
            }

            return sum / city.VehicleCount;
        }
    }

    [Fact]
    public void Samples_become_raw_telematics_records_of_stable_valid_identities()
    {
        var records = new MobilityRecords(Seed);
        VehicleIdentity identity = records.Vehicle(7);
        Assert.Equal(identity, new MobilityRecords(Seed).Vehicle(7));
        Assert.NotEqual(identity, records.Vehicle(8));
        Assert.Equal(17, identity.Vin.Length);
        Assert.Equal(identity.Vin[8], IdentifierNormalizer.ComputeVinCheckDigit(System.Text.Encoding.ASCII.GetBytes(identity.Vin)));

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (MobilitySample s in City.Samples(7))
        {
            TelematicsEventData e = MobilityRecords.Telematics(s, identity);
            Assert.True(ids.Add(e.EventId), "event ids are unique");
            Assert.Equal(s.TimeMillis, e.EventTime);
            Assert.Equal(s.IgnitionOn, e.Status!.EngineOn);
            Assert.Equal(s.Latitude, e.Location!.Latitude);
            RawMessage message = MobilityRecords.TelematicsMessage(s, identity);
            Assert.Equal(Sieve.Contracts.Topics.TelematicsRaw, message.Topic);
            Assert.NotEmpty(message.Value);
        }
    }

    [Fact]
    public void A_fleet_of_100000_vehicles_has_100000_distinct_valid_vins()
    {
        var records = new MobilityRecords(Seed);
        var vins = new HashSet<string>(StringComparer.Ordinal);
        for (int v = 0; v < 100_000; v++)
        {
            string vin = records.Vehicle(v).Vin;
            Assert.True(vins.Add(vin), $"vehicle {v} repeats a VIN");
            Assert.Equal(vin[8], IdentifierNormalizer.ComputeVinCheckDigit(System.Text.Encoding.ASCII.GetBytes(vin)));
        }
    }

    [Fact]
    public void Wifi_visitors_are_seen_at_the_dealer_outlets_during_opening_hours()
    {
        var visitors = new OutletVisitors(CityProfile.Dense(vehicles: 2_000), Seed);
        Assert.Equal(100, visitors.VisitorCount);
        var records = new MobilityRecords(Seed);
        int sightings = 0;
        for (int v = 0; v < visitors.VisitorCount; v++)
        {
            string mac = records.VisitorMac(v);
            long previous = long.MinValue;
            foreach (WifiVisitSample s in visitors.Sightings(v))
            {
                Assert.True(s.TimeMillis > previous);
                previous = s.TimeMillis;
                (double lat, double lon) = FleetSimulator.OutletLocations[s.Outlet];
                Assert.True(Metres(s.Latitude, s.Longitude, lat, lon) <= 41, "seen at the outlet");
                Assert.InRange((s.TimeMillis - visitors.Profile.DayStartUnixMillis) / 3_600_000.0, 10, 22);
                WifiEventData e = MobilityRecords.Wifi(s, mac);
                Assert.Equal(FleetSimulator.Outlet(s.Outlet).OutletId, e.OutletId);
                Assert.Equal(mac, e.ClientMac);
                sightings++;
            }
        }

        Assert.True(sightings > 100 * 10, "a visit lasts a while");
        Assert.Equal(visitors.Sightings(3).ToArray(), new OutletVisitors(CityProfile.Dense(vehicles: 2_000), Seed).Sightings(3).ToArray());
    }
}
