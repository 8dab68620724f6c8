/**
 * The default VPC's subnets on moto, which an ALB needs. There is no EC2 client among the project's
 * dependencies, so this sends the one EC2 Query API call by hand; moto routes it by the credential
 * scope in the Authorization header and does not check the signature.
 */
export async function defaultSubnets(
  endpoint: string,
  region: string,
): Promise<{ vpcId: string; subnetIds: string[] }> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=default-for-az&Filter.1.Value.1=true',
  });
  const xml = await res.text();
  if (!res.ok) throw new Error(`EC2 DescribeSubnets on moto failed: ${res.status} ${xml.slice(0, 300)}`);
  const subnetIds = [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1]!);
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (!vpcId || subnetIds.length < 2)
    throw new Error(`moto has no default VPC with two subnets: ${xml.slice(0, 300)}`);
  return { vpcId, subnetIds: subnetIds.slice(0, 2) };
}
