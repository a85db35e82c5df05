using Sieve.Simulation;
using Sieve.Commands.Load;

namespace Sieve.Tests.Load;

public sealed class SimulatedVehicleTests
{
    private const string Vin = "LSVAB12C3NA123456";
    private const string Imei = "356307042441013";

    [Fact]
    public void A_trip_ends_parked_at_the_nearest_outlet_for_a_dwell_then_the_vehicle_drives_on()
    {
        (double lat, double lon) outlet = FleetSimulator.OutletLocations[2];
        (double lat, double lon) elsewhere = FleetSimulator.OutletLocations[0];
        var random = new Random(3);
        var vehicle = new SimulatedVehicle(Imei, Vin, outlet.lat - (400 / 111_320.0), outlet.lon + 0.002, random, [elsewhere, outlet]);
        Assert.Equal(outlet, vehicle.Destination);

        long now = 1_764_000_000_000;
        var records = new List<UnitRecord>();
        for (int second = 0; second < 1_000; second++)
        {
            records.Add(vehicle.Next(now + (second * 1000L), 1, random));
        }

        // It reaches the outlet and parks there: at the outlet's position, speed 0, ignition off, odometer still.
        int arrived = records.FindIndex(r => r.Speed == 0);
        Assert.True(arrived > 0, "the vehicle never stopped");
        Assert.All(records.Take(arrived), r => Assert.True(r.Ignition == true && r.Speed > 0));
        int left = records.FindIndex(arrived, r => r.Speed > 0);
        Assert.True(left > arrived, "the vehicle never drove on");
        List<UnitRecord> parked = records.GetRange(arrived, left - arrived);
        Assert.InRange(parked.Count, SimulatedVehicle.MinDwellSeconds, SimulatedVehicle.MaxDwellSeconds + 1);
        Assert.All(parked, r =>
        {
            Assert.True(SimulatedVehicle.Distance(r.Latitude, r.Longitude, outlet.lat, outlet.lon) <= SimulatedVehicle.ArrivalMetres);
            Assert.False(r.Ignition);
            Assert.Equal(parked[0].OdometerMetres, r.OdometerMetres);
        });

        // On the way it moved along the grid, never further than the straight-line distance allows per second.
        for (int i = 1; i < arrived; i++)
        {
            double metres = SimulatedVehicle.Distance(records[i - 1].Latitude, records[i - 1].Longitude, records[i].Latitude, records[i].Longitude);
            Assert.True(metres <= (records[i].Speed / 3.6) + 0.01, "moved " + metres + " m in a second at " + records[i].Speed + " km/h");
            Assert.Contains(records[i].Angle, new ushort[] { 0, 90, 180, 270 });
        }

        // After the dwell, an errand and then another outlet: it keeps alternating.
        Assert.False(vehicle.AtOutlet);
        Assert.Contains(records.Skip(left), r => r.Speed > 0 && r.Ignition == true);
    }

    [Fact]
    public void Without_outlets_a_vehicle_roams()
    {
        var random = new Random(9);
        var vehicle = new SimulatedVehicle(Imei, Vin, 31.23, 121.47, random);
        Assert.Null(vehicle.Destination);
        for (int i = 0; i < 100; i++)
        {
            vehicle.Next(1_764_000_000_000 + (i * 1000L), 1, random);
        }

        Assert.True(SimulatedVehicle.Distance(31.23, 121.47, vehicle.Latitude, vehicle.Longitude) > 50);
        Assert.False(vehicle.AtOutlet);
    }
}
