import React, { useState } from "react";

export default function ProfileCard() {
  const [user] = useState(null);
  return (
    <div className="p-8">
      <h1 className="text-2xl font-bold">{user.name}</h1>
      <p>{user.email}</p>
    </div>
  );
}
