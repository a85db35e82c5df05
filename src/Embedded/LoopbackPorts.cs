using System.Net;
using System.Net.Sockets;

namespace Sieve.Embedded;

/// <summary>Free TCP ports on the loopback interface, for the embedded services and the processes tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port nothing listens on at the moment of the call: the system picks it for a listener that is closed at
    /// once. Another process may take it before the caller binds, which loopback-only tests and demos accept.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
