extension Duration {
    /// The duration in seconds, fractions included (for SQL intervals, metrics and logs).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
