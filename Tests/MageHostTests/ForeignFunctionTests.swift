import Foundation
import Testing
@testable import MageHost

@Suite struct ForeignFunctionTests {
    @Test func callsDeclaredCFunctionsThroughLibffi() throws {
        let catalog = PluginCatalog(directories: [try TestEnvironment.pluginDirectory(fixtures: ["c_features"])])
        let ratio = try #require(catalog.functions["ratio"])
        #expect(ratio.signature == "double(double,double)")
        #expect(ratio.call([10, 4]) == 2.5)
        #expect(ratio.call([1, 0]).isNaN)
        // double(double,int64,double): the middle argument is converted to an integer.
        let scaledSum = try #require(catalog.functions["scaled_sum"])
        #expect(scaledSum.parameterTypes == [.double, .int64, .double])
        #expect(scaledSum.call([1.5, 2.9, 3]) == 10.5)
    }

    @Test func parsesSignatures() throws {
        let (ret, params) = try ForeignFunction.parse(" int32 ( bool , float ) ")
        #expect(ret == .int32)
        #expect(params == [.bool, .float])
        #expect(try ForeignFunction.parse("double()").1.isEmpty)
        #expect(try ForeignFunction.parse("double(void)").1.isEmpty)
    }

    @Test(arguments: ["double", "double(double", "complex(double)", "double(double,,double)", "double(char*)"])
    func refusesMalformedSignatures(_ signature: String) {
        #expect(throws: ForeignFunction.SignatureError.self) { try ForeignFunction.parse(signature) }
    }
}
