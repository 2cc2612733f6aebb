/// A country or territory as libphonenumber's metadata knows it.
public struct PhoneRegion: Sendable, Hashable {
    /// The ISO 3166 alpha-2 code, upper case ("HK").
    public var iso: String
    /// The country calling code (852).
    public var callingCode: Int
    /// The trunk prefix national numbers are dialled with ("0" for GB), or nil (HK has none).
    public var nationalPrefix: String?
    /// The prefix dialled before another country's code ("011" in the US), when it is one fixed
    /// string; `00` is read as international in every region.
    var internationalPrefix: String?
    /// Bit n set when a national number of n digits is possible in this region.
    var lengths: UInt32
    /// Bit n set when n digits are possible only for local dialling (still possible).
    var localLengths: UInt32
    /// Bit n set when its mobile or fixed-line numbers have n digits.
    var commonLengths: UInt32

    /// A region of the generated table.
    init(_ row: CallingCodeTable.Region) {
        iso = row.iso
        callingCode = row.code
        nationalPrefix = row.nationalPrefix.isEmpty ? nil : row.nationalPrefix
        internationalPrefix = row.internationalPrefix.isEmpty ? nil : row.internationalPrefix
        lengths = row.lengths
        localLengths = row.localLengths
        commonLengths = row.commonLengths
    }
}
