namespace Sieve.Simulation.Mobility;

/// <summary>
/// A deterministic, seeded simulation of one day of a city's fleet (<see cref="CityProfile"/>). Each vehicle parks
/// overnight at home; commuters drive to work in the morning, some run a midday errand, drive home in the evening and
/// some go out again; the others run errands from home. Trips follow a straight-ish two-leg path at the speeds of local
/// roads, arterials and (on long trips) expressways, and the telematics unit records as a Teltonika unit is usually
/// configured: every <see cref="CityProfile.MovingIntervalSeconds"/> while the ignition is on, on ignition on and off,
/// and every <see cref="CityProfile.ParkedIntervalSeconds"/> while parked.
/// </summary>
/// <remarks>
/// Generation streams: a vehicle's day depends only on the seed and its index, so <see cref="Samples"/> computes it
/// on demand and holds nothing between vehicles. A fleet of 100,000 vehicles needs memory for one vehicle's plan at a
/// time (<see cref="AllSamples"/>) or one enumerator per vehicle (<see cref="SamplesInTimeOrder"/>).
/// </remarks>
public sealed class MobilitySimulator
{
    private const double KmPerDegreeLatitude = 111.32;
    private const double DaySeconds = 86_400;
    private const double LastDepartureSeconds = 23 * 3600;
    private const double GpsNoiseMetres = 5;
    private readonly double _kmPerDegreeLongitude;
    private readonly double[] _residentialCumulative;
    private readonly double[] _businessCumulative;
    private readonly (double X, double Y)[] _outlets;

    /// <summary>Creates the simulation of <paramref name="profile"/> with <paramref name="seed"/>.</summary>
    public MobilitySimulator(CityProfile profile, int seed)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Residential.Count == 0 || profile.Business.Count == 0)
        {
            throw new ArgumentException("A city profile needs at least one residential and one business centre.", nameof(profile));
        }

        if (profile.MovingIntervalSeconds <= 0 || profile.ParkedIntervalSeconds <= 0)
        {
            throw new ArgumentException("Sampling intervals must be positive.", nameof(profile));
        }

        Profile = profile;
        Seed = seed;
        _kmPerDegreeLongitude = KmPerDegreeLatitude * Math.Cos(profile.CentreLatitude * Math.PI / 180);
        _residentialCumulative = Cumulative(profile.Residential);
        _businessCumulative = Cumulative(profile.Business);
        IReadOnlyList<(double Latitude, double Longitude)> outlets = FleetSimulator.OutletLocations;
        _outlets = new (double, double)[outlets.Count];
        for (int i = 0; i < outlets.Count; i++)
        {
            _outlets[i] = ToKm(outlets[i].Latitude, outlets[i].Longitude);
        }
    }

    /// <summary>The city simulated.</summary>
    public CityProfile Profile { get; }

    /// <summary>The seed: the same seed and profile give the same day, record for record.</summary>
    public int Seed { get; }

    /// <summary>Vehicles in the fleet.</summary>
    public int VehicleCount => Profile.Vehicles;

    /// <summary>Ground truth of vehicle <paramref name="index"/>: home, workplace, trips.</summary>
    public VehicleProfile Vehicle(int index)
    {
        DayPlan plan = Plan(index);
        (double homeLat, double homeLon) = ToLatLon(plan.Stops[0].X, plan.Stops[0].Y);
        (double Latitude, double Longitude)? work = plan.Commuter ? ToLatLon(plan.WorkX, plan.WorkY) : null;
        return new VehicleProfile(index, homeLat, homeLon, work, plan.Stops.Count - 1);
    }

    /// <summary>The records of vehicle <paramref name="index"/> for the day, in time order.</summary>
    public IEnumerable<MobilitySample> Samples(int index)
    {
        if ((uint)index >= (uint)Profile.Vehicles)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return Drive(index);
    }

    /// <summary>Every vehicle's records, vehicle after vehicle (each vehicle's in time order).</summary>
    public IEnumerable<MobilitySample> AllSamples()
    {
        for (int v = 0; v < Profile.Vehicles; v++)
        {
            foreach (MobilitySample s in Drive(v))
            {
                yield return s;
            }
        }
    }

    /// <summary>
    /// Every vehicle's records merged into one time order (ties by vehicle index), as a fleet's units would send them.
    /// Holds one enumerator per vehicle.
    /// </summary>
    public IEnumerable<MobilitySample> SamplesInTimeOrder()
    {
        var queue = new PriorityQueue<IEnumerator<MobilitySample>, (long Time, int Vehicle)>(Profile.Vehicles);
        for (int v = 0; v < Profile.Vehicles; v++)
        {
            IEnumerator<MobilitySample> e = Drive(v).GetEnumerator();
            if (e.MoveNext())
            {
                queue.Enqueue(e, (e.Current.TimeMillis, v));
            }
            else
            {
                e.Dispose();
            }
        }

        while (queue.TryDequeue(out IEnumerator<MobilitySample>? e, out _))
        {
            MobilitySample current = e.Current;
            yield return current;
            if (e.MoveNext())
            {
                queue.Enqueue(e, (e.Current.TimeMillis, current.Vehicle));
            }
            else
            {
                e.Dispose();
            }
        }
    }

    /// <summary>Converts a point given in kilometres east and north of the centre to latitude and longitude.</summary>
    public (double Latitude, double Longitude) ToLatLon(double eastKm, double northKm) =>
        (Profile.CentreLatitude + (northKm / KmPerDegreeLatitude), Profile.CentreLongitude + (eastKm / _kmPerDegreeLongitude));

    /// <summary>Converts latitude and longitude to kilometres east and north of the centre.</summary>
    public (double EastKm, double NorthKm) ToKm(double latitude, double longitude) =>
        ((longitude - Profile.CentreLongitude) * _kmPerDegreeLongitude, (latitude - Profile.CentreLatitude) * KmPerDegreeLatitude);

    private IEnumerable<MobilitySample> Drive(int vehicle)
    {
        DayPlan plan = Plan(vehicle);
        var random = new MobilityRandom(Seed, vehicle, 2);
        long dayStart = Profile.DayStartUnixMillis;
        double odometer = random.Uniform(5_000, 80_000);
        double fuel = random.Uniform(30, 95);
        double moving = Profile.MovingIntervalSeconds;
        double parked = Profile.ParkedIntervalSeconds;
        List<Stop> stops = plan.Stops;

        // Parked at home since yesterday: the hourly timer runs from an unknown phase.
        double t = random.Uniform(0, parked);
        double parkedSince = -random.Uniform(8, 14) * 3600;
        double lastEmitted = -1;
        for (int k = 0; k < stops.Count; k++)
        {
            Stop stop = stops[k];
            double depart = k == stops.Count - 1 ? DaySeconds : stop.Depart(t);
            if (depart >= LastDepartureSeconds)
            {
                depart = DaySeconds;
            }

            // Parked: a record every parked interval until departure.
            for (; t < depart && t < DaySeconds; t += parked)
            {
                if (t > lastEmitted)
                {
                    lastEmitted = t;
                    yield return Parked(vehicle, dayStart, t, stop, k, odometer, fuel, 12.7 - (0.005 * (t - parkedSince) / 3600) + (0.02 * random.Gaussian()), random);
                }
            }

            if (depart >= DaySeconds)
            {
                yield break;
            }

            // Ignition on, then a record every moving interval until arrival; ignition off on arrival.
            Stop next = stops[k + 1];
            var path = new TripPath(stop.X, stop.Y, next.X, next.Y, random);
            int trip = k;
            t = Math.Max(depart, lastEmitted + 1);
            (double x, double y) = (stop.X, stop.Y);
            lastEmitted = t;
            yield return Moving(vehicle, dayStart, t, x, y, 0, path.Heading(0), trip, odometer, fuel, random);
            double s = 0;
            while (true)
            {
                double speed = path.SpeedAt(s, random);
                double step = speed / 3600 * moving;
                t += moving;
                if (s + step >= path.Length || t >= DaySeconds)
                {
                    odometer += path.Length - s;
                    fuel = Math.Max(5, fuel - ((path.Length - s) * 0.13));
                    break;
                }

                s += step;
                odometer += step;
                fuel = Math.Max(5, fuel - (step * 0.13));
                (x, y) = path.At(s);
                lastEmitted = t;
                yield return Moving(vehicle, dayStart, t, x, y, speed, path.Heading(s), trip, odometer, fuel, random);
            }

            if (t >= DaySeconds)
            {
                yield break;
            }

            // Arrived: the ignition-off record starts the parked timer.
            parkedSince = t;
            stops[k + 1] = next with { Arrival = t };
        }
    }

    private MobilitySample Parked(int vehicle, long dayStart, double t, Stop stop, int index, double odometer, double fuel, double battery, MobilityRandom random)
    {
        (double lat, double lon) = Noisy(stop.X, stop.Y, random);
        return new MobilitySample(vehicle, dayStart + (long)(t * 1000), lat, lon, 0, 0, false, false, -1, index, stop.Kind,
            Math.Round(odometer, 3), (float)fuel, (float)battery);
    }

    private MobilitySample Moving(int vehicle, long dayStart, double t, double x, double y, double speed, double heading, int trip, double odometer, double fuel, MobilityRandom random)
    {
        (double lat, double lon) = Noisy(x, y, random);
        return new MobilitySample(vehicle, dayStart + (long)(t * 1000), lat, lon, (float)speed, (float)heading, true, true, trip, -1, PlaceKind.Road,
            Math.Round(odometer, 3), (float)fuel, (float)(13.9 + (0.1 * random.Gaussian())));
    }

    private (double Lat, double Lon) Noisy(double x, double y, MobilityRandom random) =>
        ToLatLon(x + (GpsNoiseMetres / 1000 * random.Gaussian()), y + (GpsNoiseMetres / 1000 * random.Gaussian()));

    private DayPlan Plan(int vehicle)
    {
        var random = new MobilityRandom(Seed, vehicle, 1);
        CityProfile p = Profile;
        (double homeX, double homeY) = Draw(p.Residential, _residentialCumulative, random);
        var stops = new List<Stop>(8) { new(PlaceKind.Home, homeX, homeY, double.NaN, 0) };
        bool commuter = random.Chance(p.CommuterShare);
        (double workX, double workY) = commuter ? Draw(p.Business, _businessCumulative, random) : (double.NaN, double.NaN);
        if (commuter)
        {
            stops[0] = stops[0] with { PlannedDepart = random.Normal(8 * 3600, 1800, 6 * 3600, 10 * 3600) };
            double leaveWork = random.Normal(17.75 * 3600, 2700, 16 * 3600, 21 * 3600);
            if (random.Chance(p.MiddayErrandShare))
            {
                stops.Add(new Stop(PlaceKind.Work, workX, workY, random.Uniform(11.75 * 3600, 13.25 * 3600), 0));
                stops.Add(Errand(workX, workY, 1.5, random.Uniform(15, 60) * 60, random));
            }

            stops.Add(new Stop(PlaceKind.Work, workX, workY, leaveWork, 0));
            if (random.Chance(p.EveningErrandShare))
            {
                stops.Add(new Stop(PlaceKind.Home, homeX, homeY, double.NaN, random.Uniform(30, 120) * 60));
                stops.Add(Errand(homeX, homeY, 2.0, random.Uniform(20, 90) * 60, random));
            }

            stops.Add(new Stop(PlaceKind.Home, homeX, homeY, double.NaN, 0));
        }
        else
        {
            int errands = 1 + random.Next(3);
            stops[0] = stops[0] with { PlannedDepart = random.Uniform(9 * 3600, 15 * 3600) };
            for (int i = 0; i < errands; i++)
            {
                stops.Add(random.Chance(0.5)
                    ? Errand(homeX, homeY, 3.0, random.Uniform(20, 120) * 60, random)
                    : ErrandAt(Draw(p.Business, _businessCumulative, random), random.Uniform(20, 120) * 60, random));
                stops.Add(new Stop(PlaceKind.Home, homeX, homeY, double.NaN, i == errands - 1 ? 0 : random.Uniform(30, 180) * 60));
            }
        }

        return new DayPlan(stops, commuter, workX, workY);
    }

    private Stop Errand(double nearX, double nearY, double sigmaKm, double dwell, MobilityRandom random) =>
        ErrandAt(Clamp(nearX + (sigmaKm * random.Gaussian()), nearY + (sigmaKm * random.Gaussian())), dwell, random);

    private Stop ErrandAt((double X, double Y) place, double dwell, MobilityRandom random)
    {
        if (random.Chance(Profile.OutletErrandShare))
        {
            (double x, double y) = _outlets[random.Next(_outlets.Length)];
            return new Stop(PlaceKind.Outlet, x, y, double.NaN, dwell);
        }

        return new Stop(PlaceKind.Shop, place.X, place.Y, double.NaN, dwell);
    }

    private (double X, double Y) Draw(IReadOnlyList<DensityCentre> centres, double[] cumulative, MobilityRandom random)
    {
        double u = random.NextDouble() * cumulative[^1];
        int i = 0;
        while (i < cumulative.Length - 1 && cumulative[i] <= u)
        {
            i++;
        }

        DensityCentre c = centres[i];
        return Clamp(c.EastKm + (c.SigmaKm * random.Gaussian()), c.NorthKm + (c.SigmaKm * random.Gaussian()));
    }

    private (double X, double Y) Clamp(double x, double y)
    {
        double half = Profile.SpanKm / 2;
        return (Math.Clamp(x, -half, half), Math.Clamp(y, -half, half));
    }

    private static double[] Cumulative(IReadOnlyList<DensityCentre> centres)
    {
        double[] result = new double[centres.Count];
        double sum = 0;
        for (int i = 0; i < centres.Count; i++)
        {
            if (!(centres[i].Weight > 0) || !(centres[i].SigmaKm >= 0))
            {
                throw new ArgumentException("Density centres need a positive weight and a non-negative sigma.", nameof(centres));
            }

            sum += centres[i].Weight;
            result[i] = sum;
        }

        return result;
    }

    /// <summary>A place in the day's plan; it is left at a planned time, or after a dwell from arrival.</summary>
    private readonly record struct Stop(PlaceKind Kind, double X, double Y, double PlannedDepart, double Dwell)
    {
        public double Arrival { get; init; }

        /// <summary>Departure: the planned time (not before five minutes after arrival), or arrival plus the dwell.</summary>
        public double Depart(double now) => double.IsNaN(PlannedDepart)
            ? (Dwell <= 0 ? DaySeconds : Arrival + Dwell)
            : Math.Max(PlannedDepart, Math.Max(now, Arrival + 300));
    }

    private sealed record DayPlan(List<Stop> Stops, bool Commuter, double WorkX, double WorkY);

    /// <summary>
    /// A straight-ish path: two legs through a waypoint off the straight line, driven at local-road speed near either
    /// end, arterial speed between, and expressway speed in the middle of long trips; now and then a red light.
    /// </summary>
    private sealed class TripPath
    {
        private readonly double _x0;
        private readonly double _y0;
        private readonly double _wx;
        private readonly double _wy;
        private readonly double _x1;
        private readonly double _y1;
        private readonly double _leg1;

        public TripPath(double x0, double y0, double x1, double y1, MobilityRandom random)
        {
            (_x0, _y0, _x1, _y1) = (x0, y0, x1, y1);
            double dx = x1 - x0, dy = y1 - y0;
            double straight = Math.Sqrt((dx * dx) + (dy * dy));
            double along = random.Uniform(0.3, 0.7);
            double off = 0.15 * straight * random.Gaussian();
            double nx = straight > 0 ? -dy / straight : 0, ny = straight > 0 ? dx / straight : 0;
            _wx = x0 + (along * dx) + (off * nx);
            _wy = y0 + (along * dy) + (off * ny);
            _leg1 = Distance(x0, y0, _wx, _wy);
            Length = Math.Max(0.2, _leg1 + Distance(_wx, _wy, x1, y1));
        }

        public double Length { get; }

        public (double X, double Y) At(double s)
        {
            if (s <= _leg1)
            {
                double f = _leg1 > 0 ? s / _leg1 : 0;
                return (_x0 + (f * (_wx - _x0)), _y0 + (f * (_wy - _y0)));
            }

            double leg2 = Length - _leg1;
            double g = leg2 > 0 ? Math.Min(1, (s - _leg1) / leg2) : 1;
            return (_wx + (g * (_x1 - _wx)), _wy + (g * (_y1 - _wy)));
        }

        public double Heading(double s)
        {
            (double dx, double dy) = s <= _leg1 ? (_wx - _x0, _wy - _y0) : (_x1 - _wx, _y1 - _wy);
            double deg = Math.Atan2(dx, dy) * 180 / Math.PI;
            return deg < 0 ? deg + 360 : deg;
        }

        public double SpeedAt(double s, MobilityRandom random)
        {
            if (random.Chance(0.04))
            {
                return 0; // a red light or a jam: ignition on, standing still
            }

            double toEnd = Math.Min(s, Length - s);
            if (toEnd < 0.8)
            {
                return random.Normal(27, 5, 20, 35);
            }

            if (Length > 15 && toEnd > 3)
            {
                return random.Normal(70, 8, 60, 80);
            }

            return random.Normal(47, 7, 35, 60);
        }

        private static double Distance(double x0, double y0, double x1, double y1) => Math.Sqrt(((x1 - x0) * (x1 - x0)) + ((y1 - y0) * (y1 - y0)));
    }
}
